/**
 * A local server that speaks Upstash's Redis REST protocol in front of a real `redis-server`,
 * so the real `@upstash/redis` client can be tested without the internet (and without Docker,
 * so without SRH). What it implements, after Upstash's documented REST API:
 *
 * - `POST /` with a JSON command array (`["SET", "k", "v"]`) -> `{ "result": ... }`;
 * - `POST /pipeline` with an array of command arrays -> an array of `{ result }` / `{ error }`,
 *   one per command, run in order but not atomically;
 * - `POST /multi-exec`: the same, atomically (MULTI/EXEC). A queue-time error (unknown command,
 *   wrong arity) discards the whole transaction: one 400 `{ error }`. A run-time error
 *   (WRONGTYPE) is that entry's `{ error }`, as Redis itself does.
 * - `Authorization: Bearer <token>` (or `?_token=`); a missing or wrong token is a 401
 *   `{ "error": "Unauthorized" }` (the body Upstash sends, seen by users as
 *   `UpstashError: Unauthorized`).
 * - `Upstash-Encoding: base64`: every string in the result, at every depth, base64-encoded
 *   except a top-level `"OK"`; numbers and null as they are; errors never encoded. Binary-safe:
 *   arguments reach Redis as UTF-8 strings, replies leave as raw bytes.
 * - JSON numbers and booleans in a command are sent to Redis as strings; anything else
 *   (null, objects, nested arrays) is a 400.
 * - A Redis error reply -> 400 `{ error }`; Redis unreachable -> 500 `{ error }` at once (the
 *   connection does not queue or retry); a malformed body -> 400; another path -> 404; another
 *   method -> 405.
 * - Every response carries an `upstash-sync-token` header (read-your-writes), a counter; the
 *   token each request carried is recorded.
 * - HTTPS with `tls: { key, cert }` (see `../tls` for a throwaway certificate the client trusts).
 *
 * Known differences, invisible to the client: a bulk string `"OK"` is sent unencoded like the
 * status reply `OK` (the Redis connection cannot tell them apart; the client decodes both to
 * "OK"); path-style commands (`GET /set/foo/bar`) are not implemented; commands that change
 * the shared connection's state (MULTI, WATCH, SELECT, SUBSCRIBE, blocking pops, …) are refused.
 *
 * Every request is recorded (path, command names, status, body bytes in and out) so tests and
 * benchmarks can count round trips and bandwidth. `hang(true)` makes the server accept
 * requests and never answer them.
 */

export { startUpstashServer } from "./server";
export type {
  RecordedRequest,
  UpstashRequests,
  UpstashServer,
  UpstashServerOptions,
} from "./types";
