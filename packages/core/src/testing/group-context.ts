import type { SessionStore } from "../store";
import type { RawAccess } from "./raw-access";

/** What each group file gets: `it` registers one test with a fresh store and key prefix. */
export interface GroupContext {
  it: (
    name: string,
    body: (store: SessionStore, prefix: string) => Promise<void>,
    timeoutMs?: number,
  ) => void;
  raw: RawAccess;
  sleep: (ms: number) => Promise<void>;
  makeStore: () => SessionStore | Promise<SessionStore>;
  closeStores: boolean;
  skipExpiry: boolean;
  ttlOpts: (maxItems?: number, ttlSeconds?: number) => { maxItems: number; ttlSeconds: number };
  layout: "chain" | "copy" | undefined;
  /** A Redis Cluster: planted chains across slots cannot be walked (see ConformanceOptions). */
  cluster: boolean;
}
