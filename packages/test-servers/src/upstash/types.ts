/** The server's options, its handle and its record of requests. */

export interface UpstashServerOptions {
  /** Port of the redis-server to forward to (on `redisHost`). */
  redisPort: number;
  /** Default 127.0.0.1. */
  redisHost?: string;
  /** The token clients must present. Default: a random one. */
  token?: string;
  /** Port to listen on (127.0.0.1). Default: a free one. */
  port?: number;
  /**
   * Serve HTTPS with this key and certificate (PEM), as the real service does; see
   * `throwawayCertificate()` / `trustedCertificate()` in `../tls`. Default: plain HTTP.
   */
  tls?: { key: string; cert: string };
  /**
   * Fail a call inside a script flagged `allow-key-locking` on a key the script did not
   * declare, as Upstash does (a Lua wrapper around every call of such a script). Default true;
   * false only takes the flag off, for a benchmark whose Redis CPU should be the scripts' own.
   */
  checkKeyLocking?: boolean;
}

/** One HTTP request as the server saw it. */
export interface RecordedRequest {
  /** `/`, `/pipeline`, `/multi-exec`, or whatever was asked. */
  path: string;
  /** Lower-cased command names in the body (`evalsha`, `eval`, `del`, …). */
  commands: string[];
  /** HTTP status sent, or 0 while unanswered (hung). */
  status: number;
  /** Request body bytes. */
  bytesIn: number;
  /** Response body bytes. */
  bytesOut: number;
  /** True when the request asked for base64 (`Upstash-Encoding: base64`). */
  base64: boolean;
  /** The `upstash-sync-token` header the request carried (read-your-writes), if any. */
  syncToken: string | undefined;
  /** The `upstash-sync-token` the response carried (unset while unanswered). */
  answeredSyncToken?: string;
  /** `performance.now()` when the request arrived. */
  at: number;
}

export interface UpstashRequests {
  /** Requests received (answered or not) since start or the last `reset()`. */
  readonly count: number;
  readonly log: readonly RecordedRequest[];
  /** Requests per path, e.g. `{ "/": 3, "/pipeline": 1 }`. */
  byPath(): Record<string, number>;
  /** Commands per lower-cased name over every request, e.g. `{ evalsha: 2, eval: 1 }`. */
  byCommand(): Record<string, number>;
  /** Forgets every recorded request (and the byte counters). */
  reset(): void;
}

export interface UpstashServer {
  /** `http://127.0.0.1:<port>` (`https://` with `tls`): the REST URL to give the client. */
  url: string;
  token: string;
  port: number;
  requests: UpstashRequests;
  /** Request body bytes received since start or the last `requests.reset()`. */
  readonly bytesIn: number;
  /** Response body bytes sent since start or the last `requests.reset()`. */
  readonly bytesOut: number;
  /** While true, requests are accepted (and recorded) but never answered. */
  hang(on: boolean): void;
  /** Stops listening, drops every connection (hung ones too) and the Redis connection. */
  close(): Promise<void>;
}
