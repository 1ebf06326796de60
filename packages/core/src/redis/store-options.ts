import { consoleLogger, type MemoryLogger } from "../logger";
import type { RedisLayout } from "./layout";

/** A store operation, as named in errors, logs and an adapter's failure policy. */
export type StoreOperation =
  | "addUsage"
  | "readUsage"
  | "read"
  | "replace"
  | "append"
  | "fork"
  | "pop"
  | "clear"
  | "transact"
  | "replaceFunctionCall"
  | "claim"
  | "renewClaim"
  | "finishClaim"
  | "releaseClaim";

/**
 * The options every store on the Redis layout takes, documented once here: each adapter's
 * options extend these (`IoRedisStoreOptions`, `UpstashStoreOptions`).
 */
export interface RedisLayoutStoreOptions {
  /** Prepended to every key the store is given. Default "" (the key exactly as given). */
  keyPrefix?: string;
  /**
   * Where warnings go: skipped elements, values of another type, connection errors, what the
   * start-up check found. Default: console (stderr).
   */
  logger?: MemoryLogger;
  /**
   * Read a JSON array stored as a plain string (the Python bot's cache format) as its items;
   * a write turns it into the list layout. Default true.
   */
  legacyStrings?: boolean;
  /**
   * How reply keys are stored (see `RedisLayout`): `"chain"` (each reply key holds a link
   * to its parent and only its turn's new items; a read walks the chain in one script call) or
   * `"copy"` (each reply key holds its whole window). Default `"chain"`, except where a script
   * may touch one key only (Redis Cluster), where `"copy"` is the only layout, and asking for
   * `"chain"` throws a TypeError.
   */
  layout?: RedisLayout;
}

/**
 * The layout's own options, checked, with their defaults.
 * @throws TypeError when `options` is not an object or one of them is invalid.
 */
export function resolveLayoutOptions(
  name: string,
  options: RedisLayoutStoreOptions,
): { keyPrefix: string; logger: MemoryLogger; legacyStrings: boolean; layout?: RedisLayout } {
  if (options === null || typeof options !== "object") {
    throw new TypeError(`[agents-memory] [${name}] options must be an object`);
  }
  const keyPrefix = options.keyPrefix ?? "";
  if (typeof keyPrefix !== "string") {
    throw new TypeError(`[agents-memory] [${name}] keyPrefix must be a string`);
  }
  if (options.legacyStrings !== undefined && typeof options.legacyStrings !== "boolean") {
    throw new TypeError(`[agents-memory] [${name}] legacyStrings must be a boolean`);
  }
  if (options.layout !== undefined && options.layout !== "chain" && options.layout !== "copy") {
    throw new TypeError(`[agents-memory] [${name}] layout must be "chain" or "copy"`);
  }
  return {
    keyPrefix,
    logger: options.logger ?? consoleLogger,
    legacyStrings: options.legacyStrings ?? true,
    ...(options.layout === undefined ? {} : { layout: options.layout }),
  };
}
