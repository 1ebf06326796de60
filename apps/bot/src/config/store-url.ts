import { urlParseProblem } from "@agents-memory/core/store";
import { parseClusterUrl } from "@agents-memory/ioredis";
import { redactUrl } from "./redact";
import type { Env } from "./schema";
import type { StoreConfig } from "./types";

const STORE_EXPECTED =
  "STORE_URL must be memory://, redis://[:password@]host:port[/db], rediss://…, redis+cluster://host:port,host:port or upstash:// (with UPSTASH_REDIS_REST_URL and UPSTASH_REDIS_REST_TOKEN)";

/** The store STORE_URL names (with the Upstash variables for upstash:// and https://). */
export function resolveStore(env: Env, problems: string[], warnings: string[]): StoreConfig {
  const raw = env.STORE_URL;
  const scheme = /^([a-z+]+):\/\//i.exec(raw)?.[1]?.toLowerCase();
  switch (scheme) {
    case "memory":
      if (env.UPSTASH_REDIS_REST_URL) {
        warnings.push(
          "UPSTASH_REDIS_REST_URL is set but STORE_URL is memory://: set STORE_URL=upstash:// to use Upstash",
        );
      }
      return { kind: "memory" };
    case "redis":
    case "rediss": {
      const problem = redisUrlProblem(raw);
      if (problem) problems.push(`${STORE_EXPECTED}; got ${problem}`);
      return { kind: "redis", url: raw };
    }
    case "redis+cluster":
    case "rediss+cluster": {
      // redis+cluster://[user:password@]host:port,host:port — seed nodes of one Cluster.
      try {
        const { nodes, username, password, tls } = parseClusterUrl(raw, "STORE_URL");
        return { kind: "redis-cluster", nodes, username, password, tls, url: raw };
      } catch {
        problems.push(`${STORE_EXPECTED}; got a malformed cluster node list`);
        return {
          kind: "redis-cluster",
          nodes: [],
          username: undefined,
          password: undefined,
          tls: false,
          url: raw,
        };
      }
    }
    case "upstash":
    case "https": {
      // upstash:// takes the REST URL from UPSTASH_REDIS_REST_URL; https://… is the REST URL.
      const url = scheme === "https" ? raw : env.UPSTASH_REDIS_REST_URL;
      const token = env.UPSTASH_REDIS_REST_TOKEN;
      if (!url) problems.push("UPSTASH_REDIS_REST_URL: required when STORE_URL=upstash://");
      if (!token) problems.push("UPSTASH_REDIS_REST_TOKEN: required for the Upstash store");
      return { kind: "upstash", url: url ?? "", token: token ?? "" };
    }
    default:
      problems.push(`${STORE_EXPECTED}; got ${describeUnknown(raw, scheme)}`);
      return { kind: "memory" };
  }
}

const SCHEMES = [
  "rediss+cluster",
  "redis+cluster",
  "rediss",
  "redis",
  "upstash",
  "memory",
  "https",
];

/**
 * What an unusable STORE_URL looks like, without echoing it: a typo'd scheme often leaves the
 * password where no URL parser finds it (`redis//:pw@host`, `default:pw@host:6379`).
 */
function describeUnknown(raw: string, scheme: string | undefined): string {
  if (scheme) return `the scheme ${JSON.stringify(`${scheme}://`)}`;
  const near = SCHEMES.find((s) => raw.toLowerCase().startsWith(s));
  return near
    ? `a value without "://" after the scheme (did you mean ${near}://…?)`
    : "a value without a scheme such as redis://";
}

/**
 * What is wrong with a redis:// URL, if anything. ioredis falls back to localhost for a missing
 * host and to db 0 for a path it cannot read, so `redis://${UNSET}` would quietly use some
 * other Redis: both are refused here.
 */
function redisUrlProblem(raw: string): string | undefined {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return urlParseProblem(raw);
  }
  if (url.hostname === "") return `a URL without a host (${redactUrl(raw)})`;
  if (!/^\/?(\d+)?$/.test(url.pathname)) {
    return `a database that is not a number (${JSON.stringify(url.pathname)})`;
  }
  return undefined;
}
