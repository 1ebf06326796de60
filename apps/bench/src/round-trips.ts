import { Redis } from "ioredis";
import type { ServerProbe } from "./server-stats";

/** What the server executed during a few turns, as its MONITOR feed reports it. */
export interface RoundTripCount {
  /** Requests clients sent: top-level commands, a MULTI…EXEC block counted once. */
  requests: number;
  /** Every command executed, script-internal and MULTI-queued ones included. */
  commands: number;
  /** The requests in order, as `name` or `evalsha <sha prefix>`: what a row sends. */
  signature: string[];
}

/**
 * Counts requests with the server's MONITOR feed: every command the server executes is
 * reported with its origin, a client address or `lua` for a script's own calls, and a
 * MULTI…EXEC block shows as MULTI, the queued commands, EXEC. Redis 7.0 has no per-client
 * command counter and `INFO commandstats` counts script-internal calls under their own names,
 * so the counters alone cannot tell a request from a call a script made; MONITOR can. It runs
 * only in this calibration pass, never while turns are timed.
 */
export async function countRoundTrips(
  url: string,
  probe: ServerProbe,
  run: () => Promise<void>,
): Promise<RoundTripCount> {
  const monitorClient = new Redis(url, { lazyConnect: true });
  await monitorClient.connect();
  const monitor = await monitorClient.monitor();
  const sentinel = `bench-sentinel-${process.hrtime.bigint()}`;
  const seen: { args: string[]; source: string }[] = [];
  let release: () => void = () => {};
  const done = new Promise<void>((resolve) => {
    release = resolve;
  });
  monitor.on("monitor", (_time: string, args: string[], source: string) => {
    if (source === probe.address) {
      if (args[0]?.toLowerCase() === "echo" && args[1] === sentinel) release();
      return;
    }
    seen.push({ args: args.slice(0, 2), source });
  });
  try {
    // The feed starts once the server has answered MONITOR: prove it with a first sentinel.
    const started = `${sentinel}-start`;
    await new Promise<void>((resolve) => {
      const onStart = (_time: string, args: string[]) => {
        if (args[1] === started) {
          monitor.off("monitor", onStart);
          resolve();
        }
      };
      monitor.on("monitor", onStart);
      void probe.client.echo(started);
    });
    seen.length = 0;
    await run();
    await probe.client.echo(sentinel);
    await done;
  } finally {
    monitor.disconnect();
    monitorClient.disconnect();
  }
  return countRequests(seen);
}

function countRequests(seen: { args: string[]; source: string }[]): RoundTripCount {
  let requests = 0;
  const signature: string[] = [];
  const inMulti = new Set<string>();
  for (const { args, source } of seen) {
    if (source === "lua") continue;
    const name = (args[0] ?? "").toLowerCase();
    if (inMulti.has(source)) {
      if (name === "exec" || name === "discard") inMulti.delete(source);
      continue;
    }
    requests++;
    if (name === "multi") {
      inMulti.add(source);
      signature.push("multi…exec");
    } else if (name === "evalsha") {
      signature.push(`evalsha ${(args[1] ?? "").slice(0, 8)}`);
    } else {
      signature.push(name);
    }
  }
  return { requests, commands: seen.length, signature };
}
