import { RequestNotSentError } from "@agents-memory/core";
import type { Redis } from "ioredis";
import { clientQueues, type IoRedisClient } from "./fail-fast";

/**
 * Decides, before each store call, whether the client can take it now. Never queues:
 * - connected: go;
 * - still making its first connection: wait for it, at most `connectTimeoutMs` (once: after
 *   that wait ran out, calls fail at once until the client is ready);
 * - disconnected after having been up, or after a failed attempt: fail at once (the client
 *   keeps reconnecting in the background; the next call after it is back goes through).
 * A client that queues by itself (offline queue on) is passed through: it was the caller's
 * choice, and the store warned about it.
 */
export class ConnectionGate {
  readonly #client: IoRedisClient;
  readonly #connectTimeoutMs: number;
  readonly #queues: boolean;
  /** Making its first connection, not yet given up on: calls wait for it. */
  #starting: boolean;
  #firstConnection: Promise<void> | undefined;
  readonly #listeners: [string, () => void][];

  constructor(client: IoRedisClient, connectTimeoutMs: number, onReady?: () => void) {
    this.#client = client;
    this.#connectTimeoutMs = connectTimeoutMs;
    this.#queues = clientQueues(client);
    this.#starting = ["wait", "connecting", "connect"].includes(client.status);
    // Whatever ends the first attempt ends the waiting: later outages fail calls at once.
    const over = () => {
      this.#starting = false;
    };
    const up = () => {
      over();
      onReady?.();
    };
    this.#listeners = [
      ["ready", up],
      ["close", over],
      ["reconnecting", over],
      ["end", over],
    ];
    for (const [event, listener] of this.#listeners) client.on(event, listener);
  }

  /** Starts the first connection now, if the client has not started it. */
  connectSoon(): void {
    if (this.#client.status === "wait") this.#client.connect().catch(() => {});
  }

  /** Resolves when a call may be sent now; rejects (fast) when it may not. */
  async whenUsable(): Promise<void> {
    const client = this.#client;
    if (client.status === "ready" || this.#queues) return;
    if (client.status === "end") throw new RequestNotSentError("the Redis client was closed");
    if (!this.#starting) {
      throw new RequestNotSentError(
        `Redis is not connected (${client.status}); not queuing the call`,
      );
    }
    this.connectSoon();
    // Concurrent calls share one wait (and one set of listeners).
    this.#firstConnection ??= this.#waitForFirstConnection().finally(() => {
      this.#firstConnection = undefined;
    });
    await this.#firstConnection;
  }

  #waitForFirstConnection(): Promise<void> {
    const client = this.#client;
    return new Promise<void>((resolve, reject) => {
      const done = (error?: Error) => {
        clearTimeout(timer);
        client.off("ready", onReady);
        client.off("close", onClose);
        client.off("end", onClose);
        if (error) reject(error);
        else resolve();
      };
      const onReady = () => done();
      const onClose = () =>
        done(new RequestNotSentError("Redis refused or dropped the first connection"));
      const timer = setTimeout(() => {
        // A server that accepted the connection but never answers can hold the client in
        // "connect" for long: from now on calls fail at once, until the client is ready.
        this.#starting = false;
        done(new RequestNotSentError(`Redis did not connect within ${this.#connectTimeoutMs} ms`));
      }, this.#connectTimeoutMs);
      client.on("ready", onReady);
      client.on("close", onClose);
      client.on("end", onClose);
    });
  }

  /**
   * Sends one command now, or throws {@link RequestNotSentError} when the client could not
   * send it now and would refuse it (offline queue off): the same test ioredis makes, just
   * before it makes it, so a command that got past here went out.
   */
  send<T>(command: () => Promise<T>): Promise<T> {
    const client = this.#client;
    const writable =
      client.status === "ready" &&
      (client.isCluster || (client as Redis).stream?.writable === true);
    if (!writable && !this.#queues) {
      return Promise.reject(
        new RequestNotSentError(`Redis is not connected (${client.status}); not sent`),
      );
    }
    return command();
  }

  detach(): void {
    for (const [event, listener] of this.#listeners) this.#client.off(event, listener);
  }
}
