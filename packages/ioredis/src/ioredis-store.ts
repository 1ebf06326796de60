import {
  CallReach,
  RequestNotSentError,
  StoreShapeError,
  storeCallError,
} from "@agents-memory/core";
import {
  type RedisCommands,
  RedisLayoutStore,
  type RedisStoreCheck,
  refusesCredentials,
  refusesForClusterMode,
  type StoreOperation,
} from "@agents-memory/core/redis";
import { assertKnownOptions, assertNumberOption, describeCause } from "@agents-memory/core/store";
import type { Redis, RedisOptions } from "ioredis";
import { buildClient, serverTimeMs } from "./client";
import { ConnectionGate } from "./connection-gate";
import { type IoRedisClient, queuingRisks } from "./fail-fast";
import { defaultOptions, IOREDIS_STORE_OPTION_NAMES, type IoRedisStoreOptions } from "./options";
import { isCommandTimeout, isReplyError, reachOf } from "./reply-errors";
import { StallWatch } from "./stall-watch";

const STORE = "ioredis";

/**
 * The `SessionStore` on Redis through ioredis, single node or Cluster (a client you pass, or
 * one the store builds and owns from a `redis://` / `redis+cluster://` URL), on the shared Redis
 * layout (`@agents-memory/core/redis`): one list of JSON strings per key; every operation is
 * one round trip (a Lua script call or one command), atomic, on one key, except a fork to
 * several children, which is one call on a single node and one call per child on a Cluster.
 * This class keeps the connection and its failure policy. See the package README.
 */
export class IoRedisStore extends RedisLayoutStore {
  /** The ioredis client in use (the one passed in, or the one the store built). */
  readonly client: IoRedisClient;
  readonly #owned: boolean;
  readonly #gate: ConnectionGate;
  readonly #stalls: StallWatch;
  readonly #commandTimeoutMs: number | undefined;
  #closed = false;
  /** The last error the client the store built reported (a refused password shows here). */
  #lastClientError: unknown;
  /** The scripts Redis ran for this store (see `RedisCommands.loadedScripts`). */
  readonly #loadedScripts = new Set<string>();
  constructor(options: IoRedisStoreOptions = {}) {
    super(STORE, options);
    assertKnownOptions(options, IOREDIS_STORE_OPTION_NAMES, { where: STORE });
    const settings = {
      commandTimeoutMs: options.commandTimeoutMs ?? defaultOptions.commandTimeoutMs,
      connectTimeoutMs: options.connectTimeoutMs ?? defaultOptions.connectTimeoutMs,
      maxReconnectDelayMs: options.maxReconnectDelayMs ?? defaultOptions.maxReconnectDelayMs,
    };
    for (const [name, value] of Object.entries(settings)) {
      assertNumberOption(name, value, { store: STORE });
    }
    if (options.client) {
      if (
        options.url !== undefined ||
        options.redisOptions !== undefined ||
        options.clusterNodes !== undefined ||
        options.clusterOptions !== undefined
      ) {
        throw new TypeError(
          "[agents-memory] [ioredis] pass either a client or url/redisOptions/clusterNodes, not both",
        );
      }
      this.client = options.client;
      this.#owned = false;
      const risks = queuingRisks(this.client);
      if (risks.length > 0) {
        this.logger.warn(
          { store: STORE, risks },
          "the ioredis client may queue, hold or repeat calls while Redis is down; build it with failFastRedisOptions() / failFastClusterOptions()",
        );
      }
      this.#commandTimeoutMs = this.client.isCluster
        ? (this.client as { options: { redisOptions?: RedisOptions } }).options.redisOptions
            ?.commandTimeout
        : (this.client.options as RedisOptions).commandTimeout;
    } else {
      const built = buildClient(options, settings);
      this.client = built.client;
      this.#owned = true;
      this.#commandTimeoutMs = built.commandTimeoutMs;
      this.#watchOwnedClient();
    }
    if (options.layout === "chain" && this.client.isCluster) {
      throw new TypeError(
        '[agents-memory] [ioredis] layout "chain" needs a single Redis node: on a Cluster a chat\'s keys hash to different slots, so the store keeps the "copy" layout',
      );
    }
    // A reconnect may reach another server (a failover): learn its clock again, now, so the
    // next write does not wait for it.
    this.#gate = new ConnectionGate(this.client, settings.connectTimeoutMs, () => {
      this.serverClock.reset();
      this.serverClock.learn(this.#commands(new CallReach())).catch(() => {}); // the next write asks again
    });
    if (this.#owned) this.#gate.connectSoon();
    this.#stalls = new StallWatch(this.client, this.logger);
  }

  /**
   * Connects now (the client the store built connects lazily) and learns the server's clock,
   * so the first store call pays neither. Resolves when done, within `connectTimeoutMs`;
   * rejects with the cause otherwise (calls still work once Redis is reachable).
   * @throws StoreShapeError (`"cluster-mode"`) when a single-node client reaches a server in
   * cluster mode: the message names the fix (a `redis+cluster://` URL or a Cluster client);
   * (`"credentials"`) when the server refused the store-built client's password or user.
   */
  async connect(): Promise<void> {
    const info = await this.run("read", "(connect)", async (commands) => {
      await this.serverClock.learn(commands);
      if (this.client.isCluster) return "";
      // Managed services may rename INFO: then cluster mode shows as CROSSSLOT on the first fork.
      return (this.client as Redis).info("cluster").catch(() => "");
    }).catch((error: unknown) => {
      throw this.#credentialsOr(error);
    });
    if (/^cluster_enabled:1\b/m.test(info)) {
      const { host, port } = this.client.options as RedisOptions;
      const where = `${host ?? "localhost"}:${port ?? 6379}`;
      throw new StoreShapeError(
        "cluster-mode",
        `[agents-memory] [ioredis] the server at ${where} runs in cluster mode, which a single-node client cannot use (a reply's keys hash to different slots: CROSSSLOT); connect with redis+cluster://${where} (the url option, or STORE_URL for the bot), or pass a Cluster client`,
      );
    }
  }

  /**
   * The start-up check (see `RedisLayoutStore.check`), after {@link connect}: cluster mode
   * behind a single-node client and refused credentials (WRONGPASS, NOAUTH) are named in one
   * line.
   * @throws StoreShapeError when the shape cannot work; a `StoreError` when Redis is unreachable.
   */
  override async check(): Promise<RedisStoreCheck> {
    await this.connect();
    return super.check().catch((error: unknown) => {
      throw this.#credentialsOr(error);
    });
  }

  /**
   * A failure as a `StoreShapeError` when the client's last error says the server refused its
   * credentials (the connection then closes, and the call only sees that); else as it was.
   */
  #credentialsOr(error: unknown): unknown {
    if (StoreShapeError.isInstance(error) || !refusesCredentials(this.#lastClientError)) {
      return error;
    }
    return new StoreShapeError(
      "credentials",
      `[agents-memory] [ioredis] Redis refused the credentials (${describeCause(this.#lastClientError)}): check the password and user in the URL or redisOptions`,
      { cause: error },
    );
  }

  protected budgetMs(): number | undefined {
    return this.#commandTimeoutMs;
  }

  /** ioredis times each command from when it is sent. */
  protected override get budgetPerCommand(): boolean {
    return true;
  }

  /** ioredis's own `keyPrefix` on the client (a link names its parent with it). */
  protected override get clientKeyPrefix(): string {
    return this.client.options.keyPrefix ?? "";
  }

  /** On a Cluster a chat's keys hash to different slots: a fork writes each child alone. */
  protected override get singleKeyOnly(): boolean {
    return Boolean(this.client.isCluster);
  }

  /** Ends the client if the store built it; a client passed in is left open. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#gate.detach();
    if (!this.#owned) return;
    const client = this.client;
    const ended = new Promise<void>((resolve) => {
      if (client.status === "end") resolve();
      else client.once("end", () => resolve());
    });
    if (client.status === "ready") {
      // QUIT lets pending replies arrive; bounded, since a hung server must not hold close().
      await Promise.race([client.quit().catch(() => {}), delay(500)]);
    }
    client.disconnect();
    await Promise.race([ended, delay(500)]);
  }

  protected async run<T>(
    operation: StoreOperation,
    key: string,
    work: (commands: RedisCommands) => Promise<T>,
  ): Promise<T> {
    const requests = new CallReach();
    try {
      if (this.#closed) throw new RequestNotSentError("the store was closed");
      await this.#gate.whenUsable();
      const result = await work(this.#commands(requests));
      this.#stalls.answered();
      return result;
    } catch (error) {
      const timedOut = isCommandTimeout(error);
      if (timedOut) this.#stalls.timedOut();
      else if (isReplyError(error)) this.#stalls.answered();
      // A Cluster client meets MOVED too (a master down, slots moving): no hint then.
      const hint =
        !this.client.isCluster && refusesForClusterMode(error)
          ? "; the server runs in cluster mode: connect with a redis+cluster:// URL or a Cluster client"
          : "";
      throw storeCallError({
        store: STORE,
        operation,
        key,
        reach: requests.reach,
        cause: error,
        reason: `${describeCause(error)}${this.#connectionProblem(error)}${hint}`,
        timeoutMs: timedOut ? (this.#commandTimeoutMs ?? 0) : undefined,
      });
    }
  }

  /**
   * One call's commands: each is sent only when the client can send it now (else
   * `RequestNotSentError`), and `requests` notes how far each got.
   */
  #commands(requests: CallReach): RedisCommands {
    const send = <T>(command: () => Promise<T>) =>
      requests.track(() => this.#gate.send(command), reachOf);
    return {
      evalsha: (sha, keys, args) =>
        send(() => this.client.evalsha(sha, keys.length, ...keys, ...args)),
      eval: (lua, keys, args) => send(() => this.client.eval(lua, keys.length, ...keys, ...args)),
      lrange: (key, start, stop) => send(() => this.client.lrange(key, start, stop)),
      time: () => send(() => serverTimeMs(this.client)),
      loadedScripts: this.#loadedScripts,
    };
  }

  /**
   * Why the store-built client is not connected, for a call the gate refused: the last error
   * the client reported (a refused password says so; the gate only sees the connection close).
   */
  #connectionProblem(error: unknown): string {
    const last = this.#lastClientError;
    if (last === undefined || !RequestNotSentError.isInstance(error)) return "";
    return refusesCredentials(last)
      ? `; Redis refused the credentials (${describeCause(last)}): check the password and user in the URL or redisOptions`
      : `; the connection's last error: ${describeCause(last)}`;
  }

  /** One warning per outage, one debug line when it is over; never the URL (credentials). */
  #watchOwnedClient(): void {
    let down = false;
    this.client.on("error", (error: unknown) => {
      this.#lastClientError = error;
      if (down) return;
      down = true;
      this.logger.warn(
        { store: STORE, cause: describeCause(error) },
        "Redis connection error; store calls fail fast until it reconnects",
      );
    });
    this.client.on("ready", () => {
      this.#lastClientError = undefined;
      if (!down) return;
      down = false;
      this.logger.debug?.({ store: STORE }, "Redis connection restored");
    });
  }
}

/** `new IoRedisStore(options)`, for those who prefer a factory. */
export function createIoRedisStore(options: IoRedisStoreOptions = {}): IoRedisStore {
  return new IoRedisStore(options);
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
