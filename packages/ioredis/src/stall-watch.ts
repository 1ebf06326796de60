import type { MemoryLogger } from "@agents-memory/core";
import type { Redis } from "ioredis";
import type { IoRedisClient } from "./fail-fast";
import { isCommandTimeout } from "./reply-errors";

/**
 * Replaces a connection that stopped answering. A NAT or load balancer that dropped the flow
 * leaves the socket open with nothing coming back (no FIN, no RST): the client stays `ready`
 * and every call times out, until a restart. So, when a store call times out, one PING is sent
 * on the same connection; if it times out too, the socket is destroyed and the client's
 * reconnect logic connects again (the next calls fail fast meanwhile). Commands in flight on
 * the dropped socket fail ("Connection is closed"); a fail-fast client never resends them, so
 * nothing is applied twice. A slow but alive server answers the PING and keeps its connection.
 *
 * Only where it is safe: a single-node client that never resends unfulfilled commands (the
 * store's own; a caller's built with `failFastRedisOptions()`). Otherwise (a client that could
 * resend, a Cluster) the store warns once per stall and leaves the client alone.
 */
export class StallWatch {
  readonly #client: IoRedisClient;
  readonly #logger: MemoryLogger;
  readonly #canReplace: boolean;
  #probing = false;
  #warned = false;

  constructor(client: IoRedisClient, logger: MemoryLogger) {
    this.#client = client;
    this.#logger = logger;
    this.#canReplace =
      !client.isCluster && (client as Redis).options.autoResendUnfulfilledCommands === false;
  }

  /** A store call got its answer (a reply, an error reply): the connection is alive. */
  answered(): void {
    this.#warned = false;
  }

  /** A store call timed out: probe the connection, and replace it if the probe times out. */
  timedOut(): void {
    const client = this.#client;
    if (this.#probing || client.status !== "ready") return;
    this.#probing = true;
    client
      .ping()
      .then(
        () => this.answered(),
        (error: unknown) => {
          if (isCommandTimeout(error)) this.#replace();
        },
      )
      .finally(() => {
        this.#probing = false;
      });
  }

  #replace(): void {
    const client = this.#client;
    if (!this.#canReplace) {
      if (this.#warned) return;
      this.#warned = true;
      this.#logger.warn(
        { store: "ioredis", status: client.status },
        "Redis stopped answering on an open connection (a call and a PING timed out); the client may resend commands or is a Cluster, so the store does not reconnect it: build it with failFastRedisOptions(), or reconnect it yourself",
      );
      return;
    }
    if (client.status !== "ready") return;
    this.#logger.warn(
      { store: "ioredis" },
      "Redis stopped answering on an open connection (a call and a PING timed out); dropping it and connecting again",
    );
    // destroy, not disconnect(): disconnect() ends the socket politely and waits for a FIN that
    // a dead path never brings back.
    (client as Redis).stream?.destroy();
  }
}
