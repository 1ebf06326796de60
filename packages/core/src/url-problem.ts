/**
 * What is wrong with a string that `new URL()` refuses, as a phrase that quotes no secret (a
 * caller need not add that the value is not shown):
 * `a port above 65535 (99999)`, `a port that is not a number (not shown: it may be a
 * password)`, or `a malformed URL` when nothing more precise is known. A bad port is the
 * common case (`redis://host:63790`, `redis://user:password` without `@host`).
 */
export function urlParseProblem(raw: string): string {
  const authority = /^[a-z][a-z0-9+.-]*:\/\/([^/?#]*)/i.exec(raw.trim())?.[1];
  if (authority === undefined) return "a malformed URL";
  const hostPort = authority.slice(authority.lastIndexOf("@") + 1);
  const port = /^(?:\[[^\]]*\]|[^:]*):(.*)$/.exec(hostPort)?.[1];
  if (port === undefined || port === "") return "a malformed URL";
  if (!/^\d+$/.test(port)) return "a port that is not a number (not shown: it may be a password)";
  if (Number(port) > 65535) return `a port above 65535 (${port.slice(0, 12)})`;
  return "a malformed URL";
}
