import { connect, createServer, type Socket } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, test } from "vitest";
import { type LatencyProxy, startLatencyProxy } from "../src/latency-proxy";
import { listenLocal } from "../src/listen";

// An echo server behind the proxy: each line sent comes back.
const echo = createServer((socket) => socket.pipe(socket));
let echoPort = 0;
beforeAll(async () => {
  echoPort = await listenLocal(echo);
});
afterAll(() => new Promise<void>((resolve) => echo.close(() => resolve())));

let proxy: LatencyProxy | undefined;
afterEach(async () => {
  await proxy?.close();
});

async function open(port: number): Promise<Socket> {
  const socket = connect({ host: "127.0.0.1", port });
  await new Promise<void>((resolve, reject) => {
    socket.once("connect", resolve);
    socket.once("error", reject);
  });
  return socket;
}

/** Sends `text` and resolves with the ms until it came back, or undefined after `waitMs`. */
function roundTrip(socket: Socket, text: string, waitMs = 2000): Promise<number | undefined> {
  const started = performance.now();
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      socket.off("data", onData);
      resolve(undefined);
    }, waitMs);
    const onData = (chunk: Buffer) => {
      if (!chunk.toString().includes(text)) return;
      clearTimeout(timer);
      socket.off("data", onData);
      resolve(performance.now() - started);
    };
    socket.on("data", onData);
    socket.write(text);
  });
}

describe("latency proxy", () => {
  test("delays each direction; a new connection also pays the handshake's round trip", async () => {
    proxy = await startLatencyProxy({
      targetPort: echoPort,
      delayMs: { toServer: 30, toClient: 50 },
    });
    const socket = await open(proxy.port);
    const first = await roundTrip(socket, "a");
    const second = await roundTrip(socket, "b");
    socket.destroy();
    // Lower bounds only: a loaded machine adds time, never removes it.
    expect(first).toBeGreaterThanOrEqual(2 * 80 - 2);
    expect(second).toBeGreaterThanOrEqual(80 - 2);
    expect(second).toBeLessThan(first!);
    expect(proxy.stats()).toMatchObject({ connections: 1, roundTrips: 3, bytesToServer: 2 });
  });

  test("silence: open connections pass nothing, new ones work; heal delivers what was held", async () => {
    proxy = await startLatencyProxy({ targetPort: echoPort, delayMs: 5 });
    const old = await open(proxy.port);
    expect(await roundTrip(old, "before")).toBeDefined();
    proxy.silence();
    let closed = false;
    old.on("close", () => {
      closed = true;
    });
    expect(await roundTrip(old, "held", 300)).toBeUndefined();
    const fresh = await open(proxy.port);
    expect(await roundTrip(fresh, "fresh")).toBeDefined();
    expect(closed).toBe(false); // no FIN, no RST
    const late = new Promise<string>((resolve) =>
      old.once("data", (chunk) => resolve(String(chunk))),
    );
    proxy.heal();
    expect(await late).toContain("held");
    old.destroy();
    fresh.destroy();
  });
});
