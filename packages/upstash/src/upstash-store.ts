import {
  type AppendOptions,
  appendLayout,
  assertAppendOptions,
  assertItems,
  assertLimit,
  assertStoreKey,
  assertTtlSeconds,
  consoleLogger,
  elementText,
  emptyStored,
  type ForkOptions,
  forkLayout,
  type MemoryLogger,
  popLayout,
  type RedisLayoutDriver,
  readLayout,
  type SessionStore,
  type StoredItems,
  StoreError,
  serializeItems,
  validateFork,
  writeLayout,
} from "@agents-memory/core";
import type { AgentInputItem } from "@openai/agents";
import type { Redis } from "@upstash/redis";
import { Budget } from "./budget";
import {
  buildClient,
  checkedRestUrl,
  checkedToken,
  clientRisks,
  credentialsFromEnv,
  ENV_TOKEN,
  ENV_URL,
  hostOf,
  type Requester,
  requesterOf,
} from "./client";
import { runScript, SCRIPTS, type Send } from "./scripts";

export interface UpstashStoreOptions {
  /**
   * A client you built (`new Redis({ url, token })`). The store sends its commands through the
   * client's HTTP layer, so your auto-pipelining and deserialization settings do not affect
   * it; build it with `retry: { retries: 0 }` or the store warns (see the README).
   */
  client?: Redis;
  /** REST URL; with `token`, the store builds its own client. Env fallback: `UPSTASH_REDIS_REST_URL`. */
  url?: string;
  /** REST token. Env fallback: `UPSTASH_REDIS_REST_TOKEN`. Never logged. */
  token?: string;
  /** Prepended to every key the store is given. Default "" (the key exactly as given). */
  keyPrefix?: string;
  /**
   * Budget for one store operation, in ms: every HTTP request it makes (a NOSCRIPT fallback, a
   * fork's second trip, a retry) shares it, and each request is aborted when it runs out.
   * Default 1000.
   */
  timeoutMs?: number;
  /**
   * Retries of an idempotent operation (read, replace, fork, clear) whose request got no
   * response at all (refused, reset), while the budget lasts. Append and pop are never
   * retried: a lost response does not prove the write did not happen. Default 1.
   */
  retries?: number;
  /** Wait before the first retry, in ms, doubling after each. Default 50. */
  retryDelayMs?: number;
  /** Where warnings and the one-time bad-token report go. Default: console (stderr). */
  logger?: MemoryLogger;
}

export const defaultOptions = Object.freeze({
  keyPrefix: "",
  timeoutMs: 1000,
  retries: 1,
  retryDelayMs: 50,
});

const STORE = "upstash";
const IDEMPOTENT = true;

/** The shared layout's operations (core) over one call's HTTP sender. */
function layoutOver(send: Send): RedisLayoutDriver {
  return {
    // A JSON body carries text: elements held as bytes are sent as their UTF-8 text.
    script: (name, keys, args) =>
      runScript(
        send,
        SCRIPTS[name],
        keys,
        args.map((arg) => (arg instanceof Uint8Array ? elementText(arg) : arg)),
      ),
    lrange: (key, start, stop) => send(["lrange", key, start, stop]),
  };
}

/**
 * The `SessionStore` on Upstash Redis through `@upstash/redis` (REST). One Redis list of JSON
 * strings per key, the layout of `@agents-memory/ioredis`; every operation is one Lua script
 * call, so one HTTP request (two the first time a script meets a database: EVALSHA, then EVAL).
 * A fork copies the parent server-side after checking its fingerprint, so a turn's write sends
 * the new items, not the history. See the package README for the failure behaviour.
 */
export class UpstashStore implements SessionStore {
  /** The client in use (the one passed in, or the one the store built). */
  readonly client: Redis;
  readonly keyPrefix: string;
  readonly timeoutMs: number;
  readonly #logger: MemoryLogger;
  readonly #budget: Budget;
  #closed = false;

  constructor(options: UpstashStoreOptions = {}) {
    if (options === null || typeof options !== "object") {
      throw new TypeError("[agents-memory] [upstash] options must be an object");
    }
    this.keyPrefix = options.keyPrefix ?? defaultOptions.keyPrefix;
    if (typeof this.keyPrefix !== "string") {
      throw new TypeError("[agents-memory] [upstash] keyPrefix must be a string");
    }
    this.timeoutMs = options.timeoutMs ?? defaultOptions.timeoutMs;
    const retries = options.retries ?? defaultOptions.retries;
    const retryDelayMs = options.retryDelayMs ?? defaultOptions.retryDelayMs;
    assertNumber("timeoutMs", this.timeoutMs, { min: 1 });
    assertNumber("retries", retries, { min: 0, integer: true });
    assertNumber("retryDelayMs", retryDelayMs, { min: 0 });
    this.#logger = options.logger ?? consoleLogger;

    let requester: Requester;
    if (options.client) {
      if (options.url !== undefined || options.token !== undefined) {
        throw new TypeError(
          "[agents-memory] [upstash] pass either a client or url and token, not both",
        );
      }
      this.client = options.client;
      requester = requesterOf(this.client);
      const risks = clientRisks(requester);
      if (risks.length > 0) {
        this.#logger.warn(
          { store: STORE, risks },
          "the @upstash/redis client may repeat store calls; see the @agents-memory/upstash README",
        );
      }
    } else {
      const env = credentialsFromEnv();
      const url = options.url ?? env.url;
      const token = options.token ?? env.token;
      if (!url || !token) {
        throw new TypeError(
          `[agents-memory] [upstash] pass a client, or url and token (or set ${ENV_URL} and ${ENV_TOKEN}); missing: ${[
            url ? "" : "url",
            token ? "" : "token",
          ]
            .filter(Boolean)
            .join(", ")}`,
        );
      }
      this.client = buildClient(checkedRestUrl(url), checkedToken(token), this.timeoutMs);
      requester = requesterOf(this.client);
    }
    this.#budget = new Budget({
      requester,
      timeoutMs: this.timeoutMs,
      retries,
      retryDelayMs,
      logger: this.#logger,
      host: hostOf(requester),
    });
  }

  async read(key: string, limit?: number): Promise<AgentInputItem[]> {
    return (await this.readStored(key, limit)).items;
  }

  async readStored(key: string, limit?: number): Promise<StoredItems> {
    assertStoreKey(key);
    assertLimit(limit);
    if (limit === 0) return emptyStored();
    return this.#call("read", key, IDEMPOTENT, (send) =>
      readLayout(layoutOver(send), this.#key(key), limit, this.#context(key)),
    );
  }

  async replace(key: string, items: readonly AgentInputItem[], ttlSeconds: number): Promise<void> {
    assertStoreKey(key);
    assertItems(items);
    assertTtlSeconds(ttlSeconds);
    await this.#call("replace", key, IDEMPOTENT, (send) =>
      writeLayout(layoutOver(send), [this.#key(key)], serializeItems(items), ttlSeconds),
    );
  }

  async append(
    key: string,
    items: readonly AgentInputItem[],
    options: AppendOptions,
  ): Promise<void> {
    assertStoreKey(key);
    assertItems(items);
    assertAppendOptions(options);
    await this.#call("append", key, !IDEMPOTENT, (send) =>
      appendLayout(layoutOver(send), this.#key(key), items, options, this.#context(key)),
    );
  }

  async fork(
    parentKey: string | null,
    childKeys: readonly string[],
    newItems: readonly AgentInputItem[],
    options: ForkOptions,
  ): Promise<void> {
    const children = validateFork(parentKey, childKeys, newItems, options);
    const parent = parentKey === null ? null : this.#key(parentKey);
    const targets = children.map((child) => this.#key(child));
    await this.#call("fork", children[0]!, IDEMPOTENT, (send) =>
      forkLayout(layoutOver(send), parent, targets, newItems, options, false),
    );
  }

  async pop(key: string): Promise<AgentInputItem | undefined> {
    assertStoreKey(key);
    return this.#call("pop", key, !IDEMPOTENT, (send) =>
      popLayout(layoutOver(send), this.#key(key), this.#context(key)),
    );
  }

  async clear(key: string): Promise<void> {
    assertStoreKey(key);
    await this.#call("clear", key, IDEMPOTENT, (send) => send(["del", this.#key(key)]));
  }

  /** Marks the store closed: later calls fail. HTTP holds no connection to release. Idempotent. */
  async close(): Promise<void> {
    this.#closed = true;
  }

  #key(key: string): string {
    return this.keyPrefix + key;
  }

  #context(key: string) {
    return { key, logger: this.#logger, store: STORE };
  }

  #call<T>(
    operation: string,
    key: string,
    idempotent: boolean,
    work: (send: Send) => Promise<T>,
  ): Promise<T> {
    if (this.#closed) {
      return Promise.reject(
        new StoreError(`[agents-memory] [upstash] ${operation} ${key}: the store was closed`, {
          operation,
          key,
        }),
      );
    }
    return this.#budget.run(operation, key, idempotent, work);
  }
}

/** `new UpstashStore(options)`, for those who prefer a factory. */
export function createUpstashStore(options: UpstashStoreOptions = {}): UpstashStore {
  return new UpstashStore(options);
}

function assertNumber(
  name: string,
  value: unknown,
  { min, integer = false }: { min: number; integer?: boolean },
): void {
  if (
    typeof value !== "number" ||
    !Number.isFinite(value) ||
    value < min ||
    (integer && !Number.isInteger(value))
  ) {
    throw new RangeError(
      `[agents-memory] [upstash] ${name} must be ${integer ? "an integer" : "a number"} >= ${min}, got ${String(value)}`,
    );
  }
}
