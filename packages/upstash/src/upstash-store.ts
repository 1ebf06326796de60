import { storeCallError } from "@agents-memory/core";
import {
  LAYOUT_OPTION_NAMES,
  type RedisCommands,
  RedisLayoutStore,
  type RedisLayoutStoreOptions,
  type StoreOperation,
  timeReplyMs,
} from "@agents-memory/core/redis";
import { assertKnownOptions, assertNumberOption, optionNames } from "@agents-memory/core/store";
import type { Redis } from "@upstash/redis";
import type { Send } from "./budget";
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

/**
 * Options of {@link UpstashStore}: a `client` you built, or `url` and `token` (or the
 * environment); every other option has a default ({@link defaultOptions}). `keyPrefix`,
 * `legacyStrings`, `layout` (default `"chain"`) and `logger` are the Redis layout's own
 * (`RedisLayoutStoreOptions` in `@agents-memory/core/redis`).
 */
export interface UpstashStoreOptions extends RedisLayoutStoreOptions {
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
  /**
   * Budget for one store operation, in ms: every HTTP request it makes (a NOSCRIPT fallback, a
   * fork's second trip, a retry) shares it, and each request is aborted when it runs out.
   * A session's own budget applies within it (a `ReplySession` gives its write 3000 ms).
   * Default 3000: a cold write between continents over TLS is ~4 round trips of ~140 ms.
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
}

/** Every name of {@link UpstashStoreOptions}: any other is refused. */
const UPSTASH_STORE_OPTION_NAMES: readonly string[] = [
  ...LAYOUT_OPTION_NAMES,
  ...optionNames<Omit<UpstashStoreOptions, keyof RedisLayoutStoreOptions>>({
    client: true,
    url: true,
    token: true,
    timeoutMs: true,
    retries: true,
    retryDelayMs: true,
  }),
];

/** The defaults of {@link UpstashStoreOptions}. */
export const defaultOptions = Object.freeze({
  /** No prefix: keys are stored exactly as the sessions name them. */
  keyPrefix: "",
  /** Budget of one operation, retries included, in ms. */
  timeoutMs: 3000,
  /** Retries of an idempotent operation whose request got no response. */
  retries: 1,
  /** Wait before the first retry, in ms, doubling after each. */
  retryDelayMs: 50,
});

const STORE = "upstash";
/** A lost response does not prove these did not happen: never retried. */
const NOT_IDEMPOTENT: ReadonlySet<StoreOperation> = new Set([
  "append",
  "pop",
  "replaceFunctionCall",
]);

/** The layout's commands over one operation's HTTP sender (see `Budget`). */
function commandsOver(send: Send, loadedScripts: Set<string>): RedisCommands {
  return {
    loadedScripts,
    keyLocking: true,
    evalsha: (sha, keys, args) => send(["evalsha", sha, keys.length, ...keys, ...args]),
    eval: (lua, keys, args) => send(["eval", lua, keys.length, ...keys, ...args]),
    lrange: (key, start, stop) => send(["lrange", key, start, stop]),
    time: async () => timeReplyMs(await send(["time"])),
  };
}

/**
 * The `SessionStore` on Upstash Redis through `@upstash/redis` (REST), on the shared Redis
 * layout (`@agents-memory/core/redis`), so it reads what `@agents-memory/ioredis` writes; every
 * operation is one Lua script call or one command, so one HTTP request (the first time a script
 * meets the store, it is sent whole). A fork copies the parent server-side after checking its fingerprint, so a turn's write sends
 * the new items, not the history. See the package README for the failure behaviour.
 */
export class UpstashStore extends RedisLayoutStore {
  /** The client in use (the one passed in, or the one the store built). */
  readonly client: Redis;
  /** The budget of one operation, retries included, in ms (the `timeoutMs` option). */
  readonly timeoutMs: number;
  readonly #budget: Budget;
  /** The scripts the database ran for this store (see `RedisCommands.loadedScripts`). */
  readonly #loadedScripts = new Set<string>();
  #closed = false;

  constructor(options: UpstashStoreOptions = {}) {
    super(STORE, options);
    assertKnownOptions(options, UPSTASH_STORE_OPTION_NAMES, { where: STORE });
    this.timeoutMs = options.timeoutMs ?? defaultOptions.timeoutMs;
    const retries = options.retries ?? defaultOptions.retries;
    const retryDelayMs = options.retryDelayMs ?? defaultOptions.retryDelayMs;
    assertNumberOption("timeoutMs", this.timeoutMs, { store: STORE, atLeast: 1 });
    assertNumberOption("retries", retries, { store: STORE, atLeast: 0, integer: true });
    assertNumberOption("retryDelayMs", retryDelayMs, { store: STORE, atLeast: 0 });

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
        this.logger.warn(
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
      logger: this.logger,
      host: hostOf(requester),
    });
  }

  /** Marks the store closed: later calls fail. HTTP holds no connection to release. Idempotent. */
  async close(): Promise<void> {
    this.#closed = true;
  }

  /**
   * Learns the server's clock now (one request), so the first write does not pay for it; also
   * proves the URL and token work. Rejects with the cause when Upstash is unreachable.
   */
  async connect(): Promise<void> {
    await this.run("read", "(connect)", (commands) => this.serverClock.learn(commands));
  }

  protected budgetMs(): number {
    return this.timeoutMs;
  }

  protected run<T>(
    operation: StoreOperation,
    key: string,
    work: (commands: RedisCommands) => Promise<T>,
  ): Promise<T> {
    if (this.#closed) {
      const reason = "the store was closed";
      return Promise.reject(
        storeCallError({ store: STORE, operation, key, reach: "not-sent", reason }),
      );
    }
    return this.#budget.run(operation, key, !NOT_IDEMPOTENT.has(operation), (send) =>
      work(commandsOver(send, this.#loadedScripts)),
    );
  }
}

/** `new UpstashStore(options)`, for those who prefer a factory. */
export function createUpstashStore(options: UpstashStoreOptions = {}): UpstashStore {
  return new UpstashStore(options);
}
