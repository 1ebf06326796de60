import type { SessionStore } from "../store";
import type { GroupContext } from "./group-context";
import { basicGroup } from "./groups/basic";
import { chainGroup, legacyChainGroup } from "./groups/chain";
import { chainConfinementGroup } from "./groups/chain-confinement";
import { chainInPlaceGroup } from "./groups/chain-in-place";
import { claimsGroup } from "./groups/claims";
import { deadlineGroup } from "./groups/deadline";
import { forkGroup } from "./groups/fork";
import { legacyGroup } from "./groups/legacy";
import { limitsGroup } from "./groups/limits";
import { popClearGroup } from "./groups/pop-clear";
import { storedJsonGroup } from "./groups/stored-json";
import { tokensGroup } from "./groups/tokens";
import { transactionsGroup } from "./groups/transactions";
import { ttlGroup } from "./groups/ttl";
import type { RawAccess } from "./raw-access";

/** The subset of vitest's (or node:test's) `test` the suite needs. */
export type TestFn = (name: string, fn: () => Promise<void>, timeoutMs?: number) => unknown;

/** The groups of the suite; each can be switched off (or, for `legacy`, on). */
export interface ConformanceGroups {
  /** Missing keys, exact JSON round trips, newest-n reads, argument checks. Default on. */
  basic?: boolean;
  /** Append's trim to maxItems and reasoning pairs across a cut. Default on. */
  limits?: boolean;
  /** TTL on every write, and expiry. Default on. */
  ttl?: boolean;
  /** The reply write (`fork`). Default on. */
  fork?: boolean;
  /**
   * Reply chains: deep chains, forks at every depth, TTL refresh and expiry, tails of the copy
   * layout (and, with `legacy`, of legacy strings), pairs across links; every key checked after
   * every turn against an independent model; changes in place on a reply key (append, pop,
   * transact, replaceFunctionCall) apply to its whole history; planted links to another chat,
   * another prefix or a non-reply key, with a bad take, and chains of link-only keys are
   * refused or cut short, and never touched. Default on.
   */
  chain?: boolean;
  /** `pop` and `clear`. Default on. */
  popClear?: boolean;
  /** A write past its caller's `deadline` changes nothing. Default on. */
  deadline?: boolean;
  /** Malformed stored elements, `readStored`, `parentElements`. Default on. */
  storedJson?: boolean;
  /**
   * Token budgets (`maxTokens`) through both sessions: counts stored with items, never shown,
   * never recounted on read; random histories against an independent model. Default on.
   */
  tokens?: boolean;
  /**
   * History transactions (`transact`, `replaceFunctionCall`): the SDK's
   * `applyHistoryTransaction` / `applyHistoryMutations` semantics, durable. Default on; a store
   * without these optional methods passes trivially.
   */
  transactions?: boolean;
  /**
   * Claims (`ClaimStore`): one holder at a time, leases that run out, done kept, release, the
   * deadline fence. Default on; a store without the capability passes trivially.
   */
  claims?: boolean;
  /**
   * Legacy values of the Redis layout: a JSON array in a plain string (the Python bot's cache
   * format) and values of other types. Default off; the Redis-protocol stores turn it on.
   */
  legacy?: boolean;
}

/** Options of {@link runStoreConformance}: the raw reader is required, the rest has defaults. */
export interface ConformanceOptions {
  /** The independent reader of the backend (see `redisRawAccess`, `memoryRawAccess`). */
  raw: RawAccess;
  /** Waits `ms` of store time: a real sleep for servers, a clock advance for a fake clock. */
  sleep?: (ms: number) => Promise<void>;
  /** Close each store after its test (default true). */
  closeStores?: boolean;
  /** Test name prefix, e.g. the adapter name. */
  name?: string;
  /** Skip the TTL expiry test (it waits ~2.2 s of store time). Default false. */
  skipExpiry?: boolean;
  /** Which groups run; see {@link ConformanceGroups}. */
  groups?: ConformanceGroups;
  /**
   * How the store keeps reply keys, checked in the raw keys: `"chain"` (a link to the parent,
   * then only the turn's new items; see `store/chain-link.ts`) or `"copy"` (the whole window).
   * Default: not checked.
   */
  layout?: "chain" | "copy";
  /**
   * A Redis Cluster: a chain planted across keys of different slots cannot be walked there (a
   * script may only reach its node's keys), so the cases that read one whole are skipped.
   * Default false.
   */
  cluster?: boolean;
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

let suiteCounter = 0;

/**
 * The store conformance suite: every `SessionStore` passes it. Call it from a test file:
 *
 * ```ts
 * runStoreConformance(test, () => new MyStore(client), { raw: myRawReader });
 * ```
 *
 * `makeStore` is called once per test; each test uses keys under its own random prefix, so
 * tests never see each other's data and a shared server needs no flushing.
 */
export function runStoreConformance(
  test: TestFn,
  makeStore: () => SessionStore | Promise<SessionStore>,
  options: ConformanceOptions,
): void {
  const closeStores = options.closeStores ?? true;
  const label = options.name ? `${options.name}: ` : "";
  const suiteId = `${process.pid}-${++suiteCounter}-${Math.random().toString(36).slice(2, 8)}`;
  let testCounter = 0;

  const it: GroupContext["it"] = (name, body, timeoutMs) => {
    test(
      `${label}${name}`,
      async () => {
        const prefix = `am-conf:${suiteId}:${++testCounter}:`;
        const store = await makeStore();
        try {
          await body(store, prefix);
        } finally {
          if (closeStores) await store.close?.();
        }
      },
      timeoutMs,
    );
  };
  const context: GroupContext = {
    it,
    raw: options.raw,
    sleep: options.sleep ?? realSleep,
    makeStore,
    closeStores,
    skipExpiry: options.skipExpiry ?? false,
    ttlOpts: (maxItems = 50, ttlSeconds = 600) => ({ maxItems, ttlSeconds }),
    layout: options.layout,
    cluster: options.cluster ?? false,
  };
  const groups = { legacy: false, ...options.groups };
  if (groups.basic !== false) basicGroup(context);
  if (groups.limits !== false) limitsGroup(context);
  if (groups.ttl !== false) ttlGroup(context);
  if (groups.popClear !== false) popClearGroup(context);
  if (groups.fork !== false) forkGroup(context);
  if (groups.deadline !== false) deadlineGroup(context);
  if (groups.storedJson !== false) storedJsonGroup(context);
  if (groups.tokens !== false) tokensGroup(context);
  if (groups.transactions !== false) transactionsGroup(context, { legacy: groups.legacy });
  if (groups.claims !== false) claimsGroup(context);
  if (groups.chain !== false) {
    chainGroup(context);
    chainInPlaceGroup(context);
    chainConfinementGroup(context);
  }
  if (groups.legacy) legacyGroup(context);
  if (groups.legacy && groups.chain !== false) legacyChainGroup(context);
}
