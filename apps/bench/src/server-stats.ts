import { Redis } from "ioredis";

/** One reading of the server's own counters (`INFO stats commandstats`). */
export interface ServerSnapshot {
  /** Calls per command name, from `INFO commandstats` (script-internal calls included). */
  calls: Map<string, number>;
  netInputBytes: number;
  netOutputBytes: number;
  /** CPU seconds the server process used so far (user + system). */
  cpuSeconds: number;
  /** Bytes of this INFO reply on the wire (RESP bulk string framing included). */
  replyWireBytes: number;
}

/** What the benchmark's clients cost the server between two snapshots. */
export interface ServerDelta {
  /** Commands executed, every call counted (script-internal and MULTI-queued ones too). */
  commands: number;
  /** Calls per command name. */
  calls: Record<string, number>;
  /** Bytes the server read from clients: what the clients wrote. */
  bytesIn: number;
  /** Bytes the server wrote to clients: what the clients read. */
  bytesOut: number;
  /** CPU time the server spent, in microseconds (the probe's INFO calls are noise here). */
  cpuMicros: number;
}

/**
 * The benchmark's own connection to the server: it reads counters and resets data, and its
 * own traffic is taken out of every delta exactly (see {@link delta}).
 */
export class ServerProbe {
  readonly client: Redis;
  #address = "";

  private constructor(client: Redis) {
    this.client = client;
  }

  static async connect(url: string): Promise<ServerProbe> {
    const client = new Redis(url, { lazyConnect: true, enableAutoPipelining: false });
    await client.connect();
    const probe = new ServerProbe(client);
    const info = String(await client.call("CLIENT", "INFO"));
    probe.#address = /(?:^| )addr=(\S+)/.exec(info)?.[1] ?? "";
    return probe;
  }

  /** This connection's address as the server sees it (`ip:port`), to skip it in MONITOR. */
  get address(): string {
    return this.#address;
  }

  async snapshot(): Promise<ServerSnapshot> {
    const text = await this.client.info("stats", "commandstats", "cpu");
    const fields = parseInfo(text);
    const calls = new Map<string, number>();
    for (const [name, value] of fields) {
      if (!name.startsWith("cmdstat_")) continue;
      const count = /(?:^|,)calls=(\d+)/.exec(value)?.[1];
      if (count !== undefined) calls.set(name.slice("cmdstat_".length), Number(count));
    }
    const bytes = Buffer.byteLength(text);
    return {
      calls,
      netInputBytes: Number(fields.get("total_net_input_bytes")),
      netOutputBytes: Number(fields.get("total_net_output_bytes")),
      cpuSeconds: Number(fields.get("used_cpu_user")) + Number(fields.get("used_cpu_sys")),
      replyWireBytes: `$${bytes}\r\n`.length + bytes + 2,
    };
  }

  async usedMemory(): Promise<number> {
    return Number(parseInfo(await this.client.info("memory")).get("used_memory"));
  }

  async flush(): Promise<void> {
    await this.client.flushall("SYNC");
  }

  async version(): Promise<string> {
    return parseInfo(await this.client.info("server")).get("redis_version") ?? "unknown";
  }

  async dbsize(): Promise<number> {
    return this.client.dbsize();
  }

  async close(): Promise<void> {
    await this.client.quit().catch(() => {});
    this.client.disconnect();
  }
}

/** RESP bytes of `INFO stats commandstats cpu` as ioredis sends it. */
const INFO_REQUEST_WIRE_BYTES = Buffer.byteLength(
  "*4\r\n$4\r\ninfo\r\n$5\r\nstats\r\n$12\r\ncommandstats\r\n$3\r\ncpu\r\n",
);

/**
 * The clients' cost between two snapshots, with the probe's own traffic removed exactly:
 * the `after` request was read before `after` was taken (its bytes are in), the `before`
 * reply was written after `before` was taken (its bytes are in), and `info` calls are the
 * probe's. Nothing else talks to the server while a row is measured.
 */
export function delta(before: ServerSnapshot, after: ServerSnapshot): ServerDelta {
  const calls: Record<string, number> = {};
  let commands = 0;
  for (const [name, count] of after.calls) {
    if (name === "info") continue;
    const diff = count - (before.calls.get(name) ?? 0);
    if (diff > 0) {
      calls[name] = diff;
      commands += diff;
    }
  }
  return {
    commands,
    calls,
    bytesIn: after.netInputBytes - before.netInputBytes - INFO_REQUEST_WIRE_BYTES,
    bytesOut: after.netOutputBytes - before.netOutputBytes - before.replyWireBytes,
    cpuMicros: Math.round((after.cpuSeconds - before.cpuSeconds) * 1e6),
  };
}

export function addDelta(total: ServerDelta | undefined, next: ServerDelta): ServerDelta {
  if (!total) return { ...next, calls: { ...next.calls } };
  const calls = { ...total.calls };
  for (const [name, count] of Object.entries(next.calls)) calls[name] = (calls[name] ?? 0) + count;
  return {
    commands: total.commands + next.commands,
    calls,
    bytesIn: total.bytesIn + next.bytesIn,
    bytesOut: total.bytesOut + next.bytesOut,
    cpuMicros: total.cpuMicros + next.cpuMicros,
  };
}

function parseInfo(text: string): Map<string, string> {
  const fields = new Map<string, string>();
  for (const line of text.split("\r\n")) {
    const at = line.indexOf(":");
    if (at > 0 && !line.startsWith("#")) fields.set(line.slice(0, at), line.slice(at + 1));
  }
  return fields;
}
