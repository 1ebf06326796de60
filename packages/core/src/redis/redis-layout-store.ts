import type { AgentInputItem } from "@openai/agents";
import { HistoryConflictError } from "../errors";
import { DeadlinePassedError } from "../failure-rule";
import type { MemoryLogger } from "../logger";
import { checkCall } from "../store/call-checks";
import type {
  ClaimOptions,
  ClaimResult,
  ClaimStore,
  FinishClaimOptions,
  ReleaseClaimOptions,
} from "../store/claims";
import type {
  AppendOptions,
  ForkOptions,
  HistoryTransaction,
  SessionStore,
  StoredItems,
  TransactOptions,
  WriteOptions,
} from "../store/contract";
import { emptyStored, serializeItems } from "../store/stored-json";
import type { AddUsageOptions, TokenUsage, UsageStore } from "../store/usage";
import { ChainHints } from "./chain-hint";
import { checkRedisLayoutStore, type RedisStoreCheck } from "./check";
import { claimLayout, claimStepLayout } from "./claims";
import type { RedisCommands } from "./commands";
import { forkLayout } from "./fork-layout";
import {
  appendLayout,
  clearLayout,
  popLayout,
  type RedisLayout,
  type RedisLayoutContext,
  readLayout,
  replaceFunctionCallLayout,
  transactLayout,
  writeLayout,
} from "./layout";
import { ServerRefusals } from "./refusals";
import { ServerClock } from "./server-clock";
import {
  type RedisLayoutStoreOptions,
  resolveLayoutOptions,
  type StoreOperation,
} from "./store-options";
import { addUsageLayout, readUsageLayout } from "./usage-layout";

/**
 * A `SessionStore` on the Redis layout, for any Redis-protocol client: it checks the
 * arguments, prefixes the keys and runs the layout's operations (`./layout`), every write
 * fenced by a deadline in the server's clock. A subclass gives the connection and its failure
 * policy in {@link RedisLayoutStore.run}, its own budget per operation
 * ({@link RedisLayoutStore.budgetMs}), and whether it can run a script over several keys at
 * once ({@link RedisLayoutStore.singleKeyOnly}).
 */
export abstract class RedisLayoutStore implements SessionStore, ClaimStore, UsageStore {
  /** Prepended to every key the store is given, as passed in the options. */
  readonly keyPrefix: string;
  /** The logger from the options, for the subclass's own reports. */
  protected readonly logger: MemoryLogger;
  /** The server's clock against this process's; reset it when the client reconnects. */
  protected readonly serverClock = new ServerClock();
  readonly #name: string;
  readonly #legacyStrings: boolean;
  readonly #layout: RedisLayout | undefined;
  /** What the server was found to refuse, adapted to from then on. */
  readonly #refusals: ServerRefusals;
  /** What the chained reads walked, for the forks that follow them. */
  readonly #chainHints = new ChainHints();

  /**
   * @param name - the adapter's name in log fields and errors, e.g. "ioredis".
   * @param options - the adapter's options; the layout's own are checked here.
   * @throws TypeError when `options` is not an object or one of the layout's options is invalid.
   */
  constructor(name: string, options: RedisLayoutStoreOptions) {
    const resolved = resolveLayoutOptions(name, options);
    this.keyPrefix = resolved.keyPrefix;
    this.#layout = resolved.layout;
    this.logger = resolved.logger;
    this.#name = name;
    this.#legacyStrings = resolved.legacyStrings;
    this.#refusals = new ServerRefusals(name, this.logger);
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

  /**
   * How long the store itself waits for one operation, in ms, or undefined for no limit: the
   * write fence's deadline is the earlier of this and the caller's `deadline`.
   */
  protected abstract budgetMs(): number | undefined;

  /**
   * True when `budgetMs()` is each command's own timeout (it then runs
   * from when the write is sent), false when it bounds the whole operation. Default false.
   */
  protected get budgetPerCommand(): boolean {
    return false;
  }

  /** True where a script may touch one key only (Redis Cluster): a fork writes each child alone. */
  protected get singleKeyOnly(): boolean {
    return false;
  }

  /**
   * What the client prepends to every key it sends, on top of {@link keyPrefix} (ioredis's own
   * `keyPrefix` option). Default "". A link names its parent with it: the scripts that follow
   * links run inside Redis, where keys are not prefixed.
   */
  protected get clientKeyPrefix(): string {
    return "";
  }

  /**
   * The layout in use: the one asked for in the options (default `chain`), or `copy` where a
   * script may touch one key only (Redis Cluster).
   */
  get layout(): RedisLayout {
    if (this.singleKeyOnly || this.#refusals.undeclaredKeys) return "copy";
    return this.#layout ?? "chain";
  }

  /**
   * True while writes carry the write fence (a deadline in the server's clock, see `./lua`);
   * false once the server refused a write after TIME in a script.
   */
  get fenced(): boolean {
    return !this.#refusals.writeAfterTime;
  }

  /**
   * The start-up check (see `SessionStore.check`): measures a round trip, then writes, forks
   * and reads back a two-turn chain under scratch reply keys of a random chat
   * (`agents-memory-check:<n>:<chat>` under the store's prefix), deleted after. A server that
   * refuses the chained layout's walk or the write fence is adapted to (copy layout, no fence),
   * with one warning each, and the check run again on the adapted store.
   * @throws StoreShapeError when the shape cannot work (credentials, cluster mode, a history
   * that does not read back whole); a `StoreError` when the server is unreachable.
   */
  async check(): Promise<RedisStoreCheck> {
    const seen = this.#refusals.warnings.length;
    return checkRedisLayoutStore(
      this.#name,
      this,
      () =>
        this.run("read", "(check)", async (commands) => {
          const started = performance.now();
          await this.serverClock.learn(commands);
          return performance.now() - started;
        }),
      () => this.#refusals.warnings.slice(seen),
    );
  }

  async read(key: string, limit?: number): Promise<AgentInputItem[]> {
    return (await this.readStored(key, limit)).items;
  }

  async readStored(key: string, limit?: number): Promise<StoredItems> {
    checkCall.read(key, limit);
    if (limit === 0) return emptyStored();
    return this.run("read", key, async (commands) => {
      // A read usually precedes a write (a turn): learn the server's clock with it.
      this.serverClock.learnAlongside(commands);
      const layout = this.layout;
      try {
        const context = this.#context(key);
        return await readLayout(commands, this.#key(key), limit, context, layout, this.#chainHints);
      } catch (error) {
        if (layout !== "chain" || !this.#refusals.noteUndeclaredKeys(error)) throw error;
        return readLayout(commands, this.#key(key), limit, this.#context(key), "copy");
      }
    });
  }

  async replace(
    key: string,
    items: readonly AgentInputItem[],
    ttlSeconds: number,
    options?: WriteOptions,
  ): Promise<void> {
    checkCall.replace(key, items, ttlSeconds, options);
    await this.#write("replace", key, options, (commands, deadline) =>
      writeLayout(commands, [this.#key(key)], serializeItems(items), ttlSeconds, deadline),
    );
  }

  async append(
    key: string,
    items: readonly AgentInputItem[],
    options: AppendOptions,
  ): Promise<void> {
    checkCall.append(key, items, options);
    await this.#write("append", key, options, (commands, deadline) =>
      appendLayout(commands, this.#key(key), items, options, this.#context(key), deadline),
    );
  }

  async fork(
    parentKey: string | null,
    childKeys: readonly string[],
    newItems: readonly AgentInputItem[],
    options: ForkOptions,
  ): Promise<void> {
    const children = checkCall.fork(parentKey, childKeys, newItems, options);
    const parent = parentKey === null ? null : this.#key(parentKey);
    const targets = children.map((child) => this.#key(child));
    const fork = (commands: RedisCommands, deadline: number, layout: RedisLayout) =>
      forkLayout(
        commands,
        parent,
        targets,
        newItems,
        options,
        this.singleKeyOnly,
        deadline,
        layout === "chain"
          ? { clientKeyPrefix: this.clientKeyPrefix, hints: this.#chainHints, clock: this.fenced }
          : undefined,
      );
    await this.#write("fork", children[0]!, options, async (commands, deadline) => {
      const layout = this.layout;
      try {
        return await fork(commands, deadline, layout);
      } catch (error) {
        // Refused before it wrote anything (the walk comes first): write it as a copy.
        if (layout !== "chain" || !this.#refusals.noteUndeclaredKeys(error)) throw error;
        return fork(commands, deadline, "copy");
      }
    });
  }

  async pop(key: string, options?: WriteOptions): Promise<AgentInputItem | undefined> {
    checkCall.pop(key, options);
    return this.#write("pop", key, options, (commands, deadline) =>
      popLayout(commands, this.#key(key), this.#context(key), deadline),
    );
  }

  async clear(key: string, options?: WriteOptions): Promise<void> {
    checkCall.clear(key, options);
    await this.#write("clear", key, options, (commands, deadline) =>
      clearLayout(commands, this.#key(key), deadline, this.clientKeyPrefix),
    );
  }

  /**
   * `SessionStore.transact`: one script call over the history and its operation record (see
   * `operationsKey`: one Cluster slot). A conflict is not a failure of the store: it rejects
   * with `HistoryConflictError`, past the adapter's failure policy (never retried, never
   * wrapped in a `StoreError`).
   */
  async transact(
    key: string,
    transaction: HistoryTransaction,
    options: TransactOptions,
  ): Promise<"applied" | "already-applied"> {
    checkCall.transact(key, transaction, options);
    const outcome = await this.#write("transact", key, options, async (commands, deadline) => {
      try {
        return await transactLayout(
          commands,
          this.#key(key),
          transaction,
          options,
          this.#context(key),
          deadline,
        );
      } catch (error) {
        if (HistoryConflictError.isInstance(error)) return error;
        throw error;
      }
    });
    if (HistoryConflictError.isInstance(outcome)) throw outcome;
    return outcome;
  }

  /** `SessionStore.replaceFunctionCall`: one script call; the key keeps its TTL. */
  async replaceFunctionCall(
    key: string,
    callId: string,
    replacement: AgentInputItem,
    options?: WriteOptions,
  ): Promise<boolean> {
    checkCall.replaceFunctionCall(key, callId, replacement, options);
    return this.#write("replaceFunctionCall", key, options, (commands, deadline) =>
      replaceFunctionCallLayout(
        commands,
        this.#key(key),
        callId,
        replacement,
        this.#context(key),
        deadline,
      ),
    );
  }

  /** `ClaimStore.claim`: one script call on one key (slot-safe on Redis Cluster). */
  async claim(key: string, options: ClaimOptions): Promise<ClaimResult> {
    checkCall.claim(key, options);
    return this.#write("claim", key, options, (commands, deadline) =>
      claimLayout(commands, this.#key(key), options.holder, options.leaseMs, deadline),
    );
  }

  /** `ClaimStore.renewClaim`: one script call on one key. */
  async renewClaim(key: string, options: ClaimOptions): Promise<boolean> {
    checkCall.renewClaim(key, options);
    return this.#write("renewClaim", key, options, (commands, deadline) =>
      claimStepLayout(
        commands,
        "renewClaim",
        this.#key(key),
        [options.holder, options.leaseMs],
        deadline,
      ),
    );
  }

  /** `ClaimStore.finishClaim`: one script call on one key. */
  async finishClaim(key: string, options: FinishClaimOptions): Promise<boolean> {
    checkCall.finishClaim(key, options);
    return this.#write("finishClaim", key, options, (commands, deadline) =>
      claimStepLayout(
        commands,
        "finishClaim",
        this.#key(key),
        [options.holder, options.keepMs],
        deadline,
      ),
    );
  }

  /** `ClaimStore.releaseClaim`: one script call on one key. */
  async releaseClaim(key: string, options: ReleaseClaimOptions): Promise<boolean> {
    checkCall.releaseClaim(key, options);
    return this.#write("releaseClaim", key, options, (commands, deadline) =>
      claimStepLayout(commands, "releaseClaim", this.#key(key), [options.holder], deadline),
    );
  }

  /** `UsageStore.addUsage`: one script call on one key (a hash of counters). */
  async addUsage(key: string, usage: TokenUsage, options: AddUsageOptions): Promise<void> {
    checkCall.addUsage(key, usage, options);
    await this.#write("addUsage", key, options, (commands, deadline) =>
      addUsageLayout(commands, this.#key(key), usage, options.ttlSeconds, deadline),
    );
  }

  /** `UsageStore.readUsage`: one script call on one key. */
  async readUsage(key: string): Promise<TokenUsage> {
    checkCall.readUsage(key);
    return this.run("readUsage", key, (commands) => readUsageLayout(commands, this.#key(key)));
  }

  /**
   * Runs a write with its deadline in the server's clock: the earlier of the caller's and the
   * store's own budget, from now. A write whose deadline passed before it was sent fails here.
   */
  #write<T>(
    operation: StoreOperation,
    key: string,
    options: WriteOptions | undefined,
    write: (commands: RedisCommands, deadline: number) => Promise<T>,
  ): Promise<T> {
    const budget = this.budgetMs();
    const caller = options?.deadline ?? Number.POSITIVE_INFINITY;
    const started = Date.now();
    return this.run(operation, key, async (commands) => {
      if (this.#refusals.writeAfterTime) return write(commands, 0);
      if (caller === Number.POSITIVE_INFINITY && budget === undefined) return write(commands, 0);
      await this.serverClock.toServer(commands, 0); // learns the offset, if not known yet
      // The store's own budget runs from now when each command has its own timer (ioredis).
      const from = this.budgetPerCommand ? Date.now() : started;
      const local = Math.min(
        caller,
        budget === undefined ? Number.POSITIVE_INFINITY : from + budget,
      );
      if (Date.now() >= local) throw new DeadlinePassedError();
      try {
        return await write(commands, await this.serverClock.toServer(commands, local));
      } catch (error) {
        // Refused at its first write command, so nothing was written: send it again unfenced.
        if (!this.#refusals.noteWriteAfterTime(error)) throw error;
        return write(commands, 0);
      }
    });
  }

  #key(key: string): string {
    return this.keyPrefix + key;
  }

  #context(key: string): RedisLayoutContext {
    return {
      key,
      logger: this.logger,
      store: this.#name,
      legacyStrings: this.#legacyStrings,
      clientKeyPrefix: this.clientKeyPrefix,
    };
  }
}
