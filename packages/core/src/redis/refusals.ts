/*
 * How Redis-protocol servers refuse a shape the layout relies on, recognised by the text of
 * their error replies (every server and client keeps the server's text in the message).
 */

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * A script touched a key it did not declare in KEYS and the server refused it: Dragonfly's
 * default ("script tried accessing undeclared key", unless started with
 * `--default_lua_flags=allow-undeclared-keys`), and proxies that route scripts by their keys.
 * The chained layout's walk reads a reply's ancestors that way.
 */
export function refusesUndeclaredKeys(error: unknown): boolean {
  return /tried accessing undeclared key|access(?:ing)? (?:an )?undeclared key/i.test(
    messageOf(error),
  );
}

/**
 * A script wrote after reading TIME and the server refused it: Redis before 5 without effects
 * replication ("Write commands not allowed after non deterministic commands"), and engines
 * that want deterministic scripts. The write fence reads TIME before writing.
 */
export function refusesWriteAfterTime(error: unknown): boolean {
  return /Write commands not allowed after non deterministic commands/i.test(messageOf(error));
}

/** The server is in cluster mode and the client is not a Cluster client (CROSSSLOT, MOVED, ASK). */
export function refusesForClusterMode(error: unknown): boolean {
  return /\bCROSSSLOT\b|\bMOVED \d+ |\bASK \d+ /.test(messageOf(error));
}

/**
 * The server refused the credentials: Redis WRONGPASS / NOAUTH / NOPERM, Upstash's 401
 * ("Unauthorized", reported by the upstash store as "rejected the token").
 */
export function refusesCredentials(error: unknown): boolean {
  return /\bWRONGPASS\b|\bNOAUTH\b|\bNOPERM\b|\bUnauthorized\b|rejected the token/i.test(
    messageOf(error),
  );
}
