import type { AgentInputItem } from "@openai/agents";
import type { MemoryLogger } from "../logger";
import { assertTtlSeconds } from "../policy/limits";
import type { AppendOptions, ForkOptions, SessionStore, StoredItems } from "../store/contract";
import { emptyStored, serializeItems } from "../store/stored-json";
import {
  assertAppendOptions,
  assertItems,
  assertLimit,
  assertStoreKey,
  validateFork,
} from "../store/validate";
import type { RedisCommands } from "./commands";
import {
  appendLayout,
  forkLayout,
  popLayout,
  type RedisLayoutContext,
  readLayout,
  writeLayout,
} from "./layout";

/** A store operation, as named in errors, logs and an adapter's failure policy. */
export type StoreOperation = "read" | "replace" | "append" | "fork" | "pop" | "clear";

/** What a subclass of {@link RedisLayoutStore} passes to its constructor. */
export interface RedisLayoutStoreOptions {
  /** The adapter's name in log fields and errors, e.g. "ioredis". */
  name: string;
  /** Prepended to every key the store is given. */
  keyPrefix: string;
  /** Where skipped elements and replaced values of another type are reported. */
  logger: MemoryLogger;
  /**
   * Read a JSON array stored as a plain string (the Python bot's cache format) as its items;
   * a write turns it into the list layout. Default true.
   */
  legacyStrings?: boolean;
}

/**
 * A `SessionStore` on the Redis layout, for any Redis-protocol client: it checks the
 * arguments, prefixes the keys and runs the layout's operations (`./layout`). A subclass gives
 * the connection and its failure policy in {@link RedisLayoutStore.run}, and whether it can
 * run a script over several keys at once ({@link RedisLayoutStore.singleKeyOnly}).
 */
export abstract class RedisLayoutStore implements SessionStore {
  /** Prepended to every key the store is given, as passed in the options. */
  readonly keyPrefix: string;
  /** The logger from the options, for the subclass's own reports. */
  protected readonly logger: MemoryLogger;
  readonly #name: string;
  readonly #legacyStrings: boolean;

  constructor(options: RedisLayoutStoreOptions) {
    if (typeof options.keyPrefix !== "string") {
      throw new TypeError(`[agents-memory] [${options.name}] keyPrefix must be a string`);
    }
    if (options.legacyStrings !== undefined && typeof options.legacyStrings !== "boolean") {
      throw new TypeError(`[agents-memory] [${options.name}] legacyStrings must be a boolean`);
    }
    this.keyPrefix = options.keyPrefix;
    this.logger = options.logger;
    this.#name = options.name;
    this.#legacyStrings = options.legacyStrings ?? true;
  }

  /**
   * Runs one operation's commands under the adapter's failure policy (connection state,
   * timeouts, retries), turning a failure into a `StoreError` that names `operation` and `key`.
   */
  protected abstract run<T>(
    operation: StoreOperation,
    key: string,
    work: (commands: RedisCommands) => Promise<T>,
  ): Promise<T>;

  /** True where a script may touch one key only (Redis Cluster): a fork writes each child alone. */
  protected get singleKeyOnly(): boolean {
    return false;
  }

  async read(key: string, limit?: number): Promise<AgentInputItem[]> {
    return (await this.readStored(key, limit)).items;
  }

  async readStored(key: string, limit?: number): Promise<StoredItems> {
    assertStoreKey(key);
    assertLimit(limit);
    if (limit === 0) return emptyStored();
    return this.run("read", key, (commands) =>
      readLayout(commands, this.#key(key), limit, this.#context(key)),
    );
  }

  async replace(key: string, items: readonly AgentInputItem[], ttlSeconds: number): Promise<void> {
    assertStoreKey(key);
    assertItems(items);
    assertTtlSeconds(ttlSeconds);
    await this.run("replace", key, (commands) =>
      writeLayout(commands, [this.#key(key)], serializeItems(items), ttlSeconds),
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
    await this.run("append", key, (commands) =>
      appendLayout(commands, this.#key(key), items, options, this.#context(key)),
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
    await this.run("fork", children[0]!, (commands) =>
      forkLayout(commands, parent, targets, newItems, options, this.singleKeyOnly),
    );
  }

  async pop(key: string): Promise<AgentInputItem | undefined> {
    assertStoreKey(key);
    return this.run("pop", key, (commands) =>
      popLayout(commands, this.#key(key), this.#context(key)),
    );
  }

  async clear(key: string): Promise<void> {
    assertStoreKey(key);
    await this.run("clear", key, (commands) => commands.del(this.#key(key)));
  }

  #key(key: string): string {
    return this.keyPrefix + key;
  }

  #context(key: string): RedisLayoutContext {
    return { key, logger: this.logger, store: this.#name, legacyStrings: this.#legacyStrings };
  }
}
