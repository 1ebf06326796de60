/** One node of a Redis Cluster. */
export interface ClusterNode {
  /** Host name or IP address. */
  host: string;
  /** TCP port. */
  port: number;
}

/** A Redis Cluster's seed nodes and credentials, as a `redis+cluster://` URL names them. */
export interface ClusterUrl {
  /** The seed nodes, in the URL's order (port 6379 where none is given). */
  nodes: ClusterNode[];
  /** The ACL user, when the URL names one. */
  username: string | undefined;
  /** The password, when the URL holds one. Never logged. */
  password: string | undefined;
  /** True for `rediss+cluster://` (TLS to every node). */
  tls: boolean;
}

/** True when `url` names a Cluster: `redis+cluster://` or `rediss+cluster://`. */
export function isClusterUrl(url: string): boolean {
  return /^rediss?\+cluster:\/\//i.test(url.trim());
}

/**
 * Parses `redis+cluster://[user:password@]host:port,host:port[/]` (or `rediss+cluster://`,
 * TLS): the seed nodes of one Cluster, any of which leads the client to the others. The
 * password may hold `@` (the last one ends it) and is percent-decoded.
 * @throws TypeError naming `name` when the value is not such a URL; never quotes it (it may
 * hold a password).
 */
export function parseClusterUrl(url: string, name = "url"): ClusterUrl {
  const match = /^(rediss?)\+cluster:\/\/(.*)$/i.exec(url.trim());
  if (!match) {
    throw new TypeError(
      `[agents-memory] [ioredis] ${name} must be a redis+cluster:// or rediss+cluster:// URL`,
    );
  }
  const rest = match[2]!;
  const at = rest.lastIndexOf("@");
  const auth = at >= 0 ? rest.slice(0, at) : "";
  const colon = auth.indexOf(":");
  const username = colon >= 0 ? auth.slice(0, colon) : "";
  const password = colon >= 0 ? auth.slice(colon + 1) : auth;
  const hosts = (at >= 0 ? rest.slice(at + 1) : rest).replace(/\/.*$/, "");
  const nodes = hosts
    .split(",")
    .map((host) => host.trim())
    .filter(Boolean)
    .map((host) => {
      const node = /^([^:/\s]+)(?::(\d{1,5}))?$/.exec(host);
      const port = Number(node?.[2] ?? 6379);
      return node && port > 0 && port < 65536 ? { host: node[1]!, port } : undefined;
    });
  if (nodes.length === 0 || nodes.some((node) => node === undefined)) {
    throw new TypeError(
      `[agents-memory] [ioredis] ${name} names no cluster nodes, or a malformed one (expected host:port,host:port; the value is not shown, it may hold a password)`,
    );
  }
  return {
    nodes: nodes as ClusterUrl["nodes"],
    username: username ? safeDecode(username) : undefined,
    password: password ? safeDecode(password) : undefined,
    tls: match[1]!.toLowerCase() === "rediss",
  };
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
