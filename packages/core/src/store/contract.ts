import type { AgentInputItem } from "@openai/agents";
import type { AddUsageOptions, TokenUsage } from "./usage";
import type { WriteOptions } from "./write-options";

export type { WriteOptions } from "./write-options";

export interface AppendOptions extends WriteOptions {
  /** Keep only the newest `maxItems` items after appending. */
  maxItems: number;
  /**
   * Also keep the window within this many tokens, by the counts stored in the elements (see
   * `TOKEN_COUNT_FIELD`; an element without one counts 0 here). Omitted: no token budget.
   */
  maxTokens?: number;
  /** The key's TTL after the write, in seconds (refreshed on every write); 0: no expiry. */
  ttlSeconds: number;
}

export interface ForkOptions extends WriteOptions {
  /** Each child keeps only the newest `maxItems` items of `parent + newItems`. */
  maxItems: number;
  /** Each child key's TTL, in seconds; 0: no expiry. */
  ttlSeconds: number;
  /**
   * The parent's items as the caller read them (the history the run saw). The children get
   * exactly `trim(parentItems + newItems)`. A store may copy the parent server-side instead of
   * sending these again, but only after checking the stored parent still equals them
   * (see {@link fingerprintItems}); otherwise it writes `parentItems`.
   */
  parentItems: readonly AgentInputItem[];
  /**
   * The same parent as stored: each item's JSON exactly as {@link SessionStore.readStored}
   * returned it. When given, a store fingerprints and writes these instead of `parentItems`:
   * nothing is serialized again, and a resent parent is byte-identical to what was read.
   */
  parentElements?: readonly StoredElement[];
}

/**
 * A history change of the SDK's runner (its `SessionHistoryTransaction`), items already
 * filtered by the session. `append_items` adds `items` at the end; `replace_suffix` replaces
 * the stored history's last `expectedSuffix.length` items by `replacement`, only when they are
 * structurally equal to `expectedSuffix` (parsed JSON deep-equal, key order and spacing aside).
 */
export type HistoryTransaction =
  | {
      /** Add `items` at the end of the history. */
      type: "append_items";
      /** The items to add, oldest first. */
      items: readonly AgentInputItem[];
    }
  | {
      /** Replace the history's last items, if they are what the runner expects. */
      type: "replace_suffix";
      /** What the history must end with (structurally equal), oldest first. */
      expectedSuffix: readonly AgentInputItem[];
      /** What replaces those items, oldest first (may be longer, shorter or empty). */
      replacement: readonly AgentInputItem[];
    };

/** Options of {@link SessionStore.transact}. */
export interface TransactOptions extends WriteOptions {
  /** Non-empty, stable across retries of the same operation (the SDK's `operationId`). */
  operationId: string;
  /**
   * The transaction's fingerprint, computed by the caller (e.g. sha1 of a canonical JSON): the
   * same `operationId` with the same fingerprint is "already applied", with another one a
   * conflict. Non-empty.
   */
  fingerprint: string;
  /**
   * Keep only the newest `maxItems` items after the change, cut pair-safe (see
   * `windowStartBy`: the window may hold fewer). Omitted: no trim.
   */
  maxItems?: number;
  /** Also keep the window within this many tokens, as in {@link AppendOptions.maxTokens}. */
  maxTokens?: number;
  /**
   * TTL in seconds set on the history and on the operation record. 0 or omitted: neither
   * expires (an existing TTL is removed).
   */
  ttlSeconds?: number;
}

/** One item's JSON text as a store read it. */
export type StoredElement = string;

/** A read with each item's stored JSON beside it: `items[i]` is `elements[i]`, parsed. */
export interface StoredItems {
  /** The items, oldest first, malformed elements skipped. */
  items: AgentInputItem[];
  /** Each item's JSON as stored, in the same order. */
  elements: StoredElement[];
  /**
   * Set when the read found less than a whole history (already logged by the store): the key
   * itself holds nothing, or the walk along a reply chain stopped short. Absent: whole, or a
   * store that does not tell.
   */
  gap?: HistoryGap;
}

/**
 * Where a read found less than a whole history. `kind`:
 * - `absent`: the key read holds nothing (never written, expired, evicted or deleted);
 * - `missing`: a key its history links to is gone;
 * - `refused`: a link that is not followed (to another chat, another prefix, a key that is no
 *   reply key, or with a bad `take`; see `followLink`), `detail` says which;
 * - `deep`: the walk stopped after more keys holding no items than a window needs;
 * - `cycle`: a link leads back to a key already read;
 * - `other-type`: the key, or a key its history links to, holds a value of another type.
 */
export interface HistoryGap {
  /** What stopped the history (see above). */
  kind: "absent" | "missing" | "refused" | "deep" | "cycle" | "other-type";
  /** The key where the history stops, as the backend names it (for Redis: with its prefix). */
  at: string;
  /** For `refused`: the reason (a `LinkRefusal`); for `other-type`: the type. */
  detail?: string;
  /** For `refused`: the key the link names (never read). */
  parent?: string;
}

/** What a store's start-up check found (see `SessionStore.check`). */
export interface StoreCheck {
  /** One line for the log: what was checked, what is in use, the round trip. Never a secret. */
  summary: string;
  /** One command's round trip to the backend, in ms, as measured by the check. */
  roundTripMs: number;
  /** What the store adapted to or warns about (each also logged once by the store). */
  warnings: string[];
}

/**
 * The backend contract: the few primitives a store must give. On a network store each
 * operation is one round trip and atomic where it writes. Values are JSON per item; a stored
 * element that is not a JSON object is skipped (and logged), never a crash.
 */
export interface SessionStore {
  /** The items under `key`, oldest first; with `limit`, only the newest `limit`. Missing key: []. */
  read(key: string, limit?: number): Promise<AgentInputItem[]>;
  /**
   * Optional: `read`, plus the stored JSON of each item. A session keeps the JSON (immutable)
   * and hands out the parsed items, so it never copies the history, and passes the JSON back
   * as `parentElements` on `fork`. A store that implements this must honour `parentElements`.
   */
  readStored?(key: string, limit?: number): Promise<StoredItems>;
  /** Replace whatever is under `key` with `items`, with a TTL (0: none). Empty `items` deletes the key. */
  replace(
    key: string,
    items: readonly AgentInputItem[],
    ttlSeconds: number,
    options?: WriteOptions,
  ): Promise<void>;
  /** Append `items`, keep the newest `maxItems`, refresh the TTL. */
  append(key: string, items: readonly AgentInputItem[], options: AppendOptions): Promise<void>;
  /**
   * The reply write: every key in `childKeys` gets `trim(parentItems + newItems)` with the TTL.
   * `parentKey` is where `parentItems` were read from (null when there was no parent).
   */
  fork(
    parentKey: string | null,
    childKeys: readonly string[],
    newItems: readonly AgentInputItem[],
    options: ForkOptions,
  ): Promise<void>;
  /** Remove and return the newest item, or undefined when the key is empty or missing. */
  pop(key: string, options?: WriteOptions): Promise<AgentInputItem | undefined>;
  /** Delete the key (and, on a store with `transact`, the operation ids recorded with it). */
  clear(key: string, options?: WriteOptions): Promise<void>;
  /**
   * Optional: applies `transaction` to the history under `key` and records `operationId` with
   * it (under the same TTL), atomically, in one round trip: the SDK's
   * `applyHistoryTransaction`, durable. Resolves `"applied"`, or `"already-applied"` when
   * `operationId` was recorded with the same fingerprint (nothing changes: a retry, from this
   * process or another). Rejects with `HistoryConflictError` and changes nothing when the id
   * was recorded with a different fingerprint (`reason: "operation-reused"`) or when the stored
   * history does not end with `expectedSuffix` (`"suffix-mismatch"`); with a `StoreError` when
   * the store fails or `deadline` passed. `clear` forgets the recorded ids; `replace` and
   * `pop` keep them.
   */
  transact?(
    key: string,
    transaction: HistoryTransaction,
    options: TransactOptions,
  ): Promise<"applied" | "already-applied">;
  /**
   * Optional: replaces the first `function_call` item whose `callId` is `callId` by
   * `replacement` and drops every later `function_call` with that `callId`, atomically, in one
   * round trip (the SDK's `applySessionHistoryMutations` for a `replace_function_call`
   * mutation). Resolves true when one was found (false: nothing changed). Keeps the key's TTL.
   */
  replaceFunctionCall?(
    key: string,
    callId: string,
    replacement: AgentInputItem,
    options?: WriteOptions,
  ): Promise<boolean>;
  /**
   * Optional: connect now, so the first call does not pay for it (the Redis stores also learn
   * the server's clock for their write fence). Rejects with the cause when the backend is not
   * reachable; calls still work once it is.
   */
  connect?(): Promise<void>;
  /**
   * Optional: the start-up check. Proves this deployment keeps history: writes, forks and reads
   * back a two-turn chain under scratch keys (deleted after), adapting to what the server
   * refuses where the store can (each adaptation logged once). Resolves what it found, with a
   * one-line `summary` for the log. Rejects with `StoreShapeError` when the shape cannot work
   * (credentials, cluster mode, a history that does not read back whole), or with the store's
   * `StoreError` when the backend is unreachable (calls still work once it is).
   */
  check?(): Promise<StoreCheck>;
  /** Optional: see `UsageStore.addUsage` (`store/usage.ts`). */
  addUsage?(key: string, usage: TokenUsage, options: AddUsageOptions): Promise<void>;
  /** Optional: see `UsageStore.readUsage` (`store/usage.ts`). */
  readUsage?(key: string): Promise<TokenUsage>;
  /** Release what the store owns (connections it opened). A client passed in is left open. */
  close?(): Promise<void>;
}
