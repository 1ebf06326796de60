import { connect, createServer, type Socket } from "node:net";
import { listenLocal } from "./listen";

/** The one-way delays of a {@link LatencyProxy}, in ms. */
export interface Delays {
  /** Client to server, in ms. */
  toServer: number;
  /** Server to client, in ms. */
  toClient: number;
}

export interface LatencyProxyOptions {
  /** The port the proxy forwards to, on `targetHost`. */
  targetPort: number;
  /** Default 127.0.0.1. */
  targetHost?: string;
  /** One-way delay in ms, the same both ways (a number) or per direction. Default 0. */
  delayMs?: number | Delays;
  /** Port to listen on (127.0.0.1); default a free one. */
  port?: number;
}

/** What went through the proxy since it started (or since {@link LatencyProxy.resetStats}). */
export interface ProxyStats {
  /** Connections accepted. */
  connections: number;
  /**
   * Round trips the clients paid: one per connection (the TCP handshake) plus one per burst of
   * client data that follows server data or the connection's start (a request, a TLS flight).
   * Summed over connections, so two requests in parallel count two.
   */
  roundTrips: number;
  /** Bytes forwarded, each way. */
  bytesToServer: number;
  bytesToClient: number;
}

/**
 * A TCP proxy on 127.0.0.1 that delays each direction, as a network between regions does. A
 * new connection also pays one round trip before its first byte reaches the server (the TCP
 * handshake the loopback hop does not cost). Order within a direction is kept.
 */
export interface LatencyProxy {
  port: number;
  host: string;
  /** Changes the delays for data forwarded from now on. */
  setDelay(delayMs: number | Delays): void;
  /**
   * The connections open now go silent: they stay open (no FIN, no RST) and pass nothing in
   * either direction, as after a NAT or load balancer dropped the flow; what is sent meanwhile
   * is held. Connections opened later work. {@link heal} lets the held data through.
   */
  silence(): void;
  /** Silenced connections pass data again, what was held first (a path that came back). */
  heal(): void;
  /**
   * Resets every open connection (RST), as a new process finds none: the next request
   * connects (and handshakes) again.
   */
  dropConnections(): void;
  /** Connections open now. */
  readonly openConnections: number;
  stats(): ProxyStats;
  resetStats(): void;
  /** Resets every open connection (RST) and stops listening. */
  close(): Promise<void>;
}

interface Pipe {
  client: Socket;
  server: Socket;
  silenced: boolean;
  held: { toServer: (Buffer | "end")[]; toClient: (Buffer | "end")[] };
  /** When the simulated handshake is over (ms, performance.now()). */
  openAt: number;
  /** Whether the last data seen went to the client (a new client burst is then a round trip). */
  lastToClient: boolean;
}

/** Starts a {@link LatencyProxy} in front of `targetHost:targetPort`. */
export async function startLatencyProxy(options: LatencyProxyOptions): Promise<LatencyProxy> {
  const targetHost = options.targetHost ?? "127.0.0.1";
  let delays = toDelays(options.delayMs ?? 0);
  const pipes = new Set<Pipe>();
  const zero = (): ProxyStats => ({
    connections: 0,
    roundTrips: 0,
    bytesToServer: 0,
    bytesToClient: 0,
  });
  let stats = zero();

  /**
   * Forwards `chunk` (or the end of the stream: a FIN, after the data) to `to` after the
   * delay, never before `notBefore + delay`, and never before what was queued for `to` earlier.
   * What is in flight arrives even when its sender has gone since, as on a real network.
   */
  const lastAt = new WeakMap<Socket, number>();
  const later = (to: Socket, chunk: Buffer | "end", delayMs: number, notBefore = 0) => {
    const at = Math.max(performance.now() + delayMs, notBefore + delayMs, lastAt.get(to) ?? 0);
    lastAt.set(to, at);
    setTimeout(
      () => {
        if (to.destroyed) return;
        if (chunk === "end") to.end();
        else to.write(chunk);
      },
      Math.max(0, at - performance.now()),
    );
  };

  const server = createServer((client) => {
    client.setNoDelay(true);
    const upstream = connect({ host: targetHost, port: options.targetPort });
    upstream.setNoDelay(true);
    const pipe: Pipe = {
      client,
      server: upstream,
      silenced: false,
      held: { toServer: [], toClient: [] },
      openAt: performance.now() + delays.toServer + delays.toClient,
      lastToClient: true,
    };
    pipes.add(pipe);
    stats.connections++;
    stats.roundTrips++;

    client.on("data", (chunk: Buffer) => {
      stats.bytesToServer += chunk.length;
      if (pipe.lastToClient) stats.roundTrips++;
      pipe.lastToClient = false;
      if (pipe.silenced) pipe.held.toServer.push(chunk);
      else later(upstream, chunk, delays.toServer, pipe.openAt);
    });
    upstream.on("data", (chunk: Buffer) => {
      stats.bytesToClient += chunk.length;
      pipe.lastToClient = true;
      if (pipe.silenced) pipe.held.toClient.push(chunk);
      else later(client, chunk, delays.toClient);
    });
    // An end or close on one side ends the other once what was in flight has arrived: a FIN
    // travels like data (held too, while silenced).
    let clientGone = false;
    let serverGone = false;
    const clientDone = () => {
      if (clientGone) return;
      clientGone = true;
      if (pipe.silenced) pipe.held.toServer.push("end");
      else later(upstream, "end", delays.toServer, pipe.openAt);
      if (serverGone) pipes.delete(pipe);
    };
    const serverDone = () => {
      if (serverGone) return;
      serverGone = true;
      if (pipe.silenced) pipe.held.toClient.push("end");
      else later(client, "end", delays.toClient);
      if (clientGone) pipes.delete(pipe);
    };
    client.on("end", clientDone);
    client.on("close", clientDone);
    client.on("error", clientDone);
    upstream.on("end", serverDone);
    upstream.on("close", serverDone);
    upstream.on("error", serverDone);
  });
  const port = await listenLocal(server, options.port);
  const dropConnections = () => {
    for (const pipe of pipes) {
      pipe.client.resetAndDestroy();
      pipe.server.destroy();
    }
    pipes.clear();
  };

  return {
    port,
    host: "127.0.0.1",
    setDelay(delayMs) {
      delays = toDelays(delayMs);
    },
    silence() {
      for (const pipe of pipes) pipe.silenced = true;
    },
    heal() {
      for (const pipe of pipes) {
        if (!pipe.silenced) continue;
        pipe.silenced = false;
        for (const chunk of pipe.held.toServer.splice(0)) {
          later(pipe.server, chunk, delays.toServer);
        }
        for (const chunk of pipe.held.toClient.splice(0)) {
          later(pipe.client, chunk, delays.toClient);
        }
      }
    },
    dropConnections,
    get openConnections() {
      return pipes.size;
    },
    stats: () => ({ ...stats }),
    resetStats() {
      stats = zero();
    },
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      dropConnections();
      await closed;
    },
  };
}

function toDelays(delayMs: number | Delays): Delays {
  const delays = typeof delayMs === "number" ? { toServer: delayMs, toClient: delayMs } : delayMs;
  for (const value of [delays.toServer, delays.toClient]) {
    if (!Number.isFinite(value) || value < 0) {
      throw new RangeError(`delay must be a number of ms >= 0, got ${String(value)}`);
    }
  }
  return { ...delays };
}
