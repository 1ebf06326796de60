import { describeValue } from "../describe-value";
import type { SessionStore, WriteOptions } from "./contract";
import { assertStoreKey, assertWriteOptions } from "./validate";

/**
 * What {@link ClaimStore.claim} found: `claimed`, the claim is the caller's now (a new one, or
 * its own still running, whose lease was renewed); `held`, another holder's lease runs (its
 * `holder`); `done`, someone finished the work (kept for the `keepMs` given then).
 */
export type ClaimResult =
  | {
      /** The caller holds the claim now. */
      state: "claimed";
    }
  | {
      /** Another holder's lease runs. */
      state: "held";
      /** Who holds it (as it claimed). */
      holder: string;
    }
  | {
      /** The work was finished. */
      state: "done";
    };

/** Options of {@link ClaimStore.claim} and {@link ClaimStore.renewClaim}. */
export interface ClaimOptions extends WriteOptions {
  /** Who claims: one id per worker (e.g. per process), 1-200 characters. */
  holder: string;
  /**
   * How long the claim lasts unless renewed or finished, in ms of the store's clock (a
   * positive integer). A holder that dies loses it after this long; another may then claim it.
   */
  leaseMs: number;
}

/** Options of {@link ClaimStore.finishClaim}. */
export interface FinishClaimOptions extends WriteOptions {
  /** The holder finishing the work (see {@link ClaimOptions.holder}). */
  holder: string;
  /** How long the claim is kept as done, in ms of the store's clock (a positive integer). */
  keepMs: number;
}

/** Options of {@link ClaimStore.releaseClaim}. */
export interface ReleaseClaimOptions extends WriteOptions {
  /** The holder giving the claim up (see {@link ClaimOptions.holder}). */
  holder: string;
}

/**
 * Optional store capability: claims, so that one piece of work (the bot: answering one
 * Telegram update) is done by one worker among every process sharing the store. A claim is a
 * lease on a key: taken atomically, renewed while the work runs, marked done when it is
 * finished (and kept so for a while, so a redelivery is recognised), or released. Each call is
 * one atomic round trip; a key holds a claim or a history, never both. Every call rejects
 * with a `StoreError` when the store fails or the `deadline` passed (nothing changed then),
 * with a `TypeError`/`RangeError` for invalid arguments.
 */
export interface ClaimStore {
  /** Takes the claim on `key` for `holder` unless another holder's lease runs or it is done. */
  claim(key: string, options: ClaimOptions): Promise<ClaimResult>;
  /**
   * Extends `holder`'s running claim to `leaseMs` from now. False (and nothing changes) when
   * the claim is no longer `holder`'s: it expired (another may hold it) or is done.
   */
  renewClaim(key: string, options: ClaimOptions): Promise<boolean>;
  /**
   * Marks the claim done for `keepMs`, whoever holds it. True when it was still `holder`'s;
   * false when its lease had expired and it was free, taken over or already done (the work
   * may then have been done twice).
   */
  finishClaim(key: string, options: FinishClaimOptions): Promise<boolean>;
  /**
   * Gives up `holder`'s running claim, so another holder may claim it at once. False (and
   * nothing changes) when it was not `holder`'s running claim.
   */
  releaseClaim(key: string, options: ReleaseClaimOptions): Promise<boolean>;
}

/** True when `store` implements {@link ClaimStore}. */
export function isClaimStore<S extends SessionStore>(store: S): store is S & ClaimStore {
  const candidate = store as Partial<ClaimStore>;
  return (
    typeof candidate.claim === "function" &&
    typeof candidate.renewClaim === "function" &&
    typeof candidate.finishClaim === "function" &&
    typeof candidate.releaseClaim === "function"
  );
}

/** Checks a claim call's key, holder, duration (`leaseMs` or `keepMs`) and deadline. */
export function assertClaimArgs(
  key: string,
  options: { holder: string; leaseMs?: number; keepMs?: number } & WriteOptions,
  duration: "leaseMs" | "keepMs" | undefined,
): void {
  assertStoreKey(key);
  if (options === null || typeof options !== "object") {
    throw new TypeError("[agents-memory] claim options must be an object");
  }
  const { holder } = options;
  if (typeof holder !== "string" || holder.length === 0 || holder.length > 200) {
    throw new TypeError("[agents-memory] a claim's holder must be a string of 1-200 characters");
  }
  if (duration !== undefined) {
    const ms = options[duration];
    if (typeof ms !== "number" || !Number.isSafeInteger(ms) || ms <= 0) {
      throw new RangeError(
        `[agents-memory] ${duration} must be a positive integer (ms), got ${describeValue(ms)}`,
      );
    }
  }
  assertWriteOptions(options);
}
