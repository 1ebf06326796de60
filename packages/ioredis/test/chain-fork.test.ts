import { silentLogger } from "@agents-memory/core";
import type { StoredItems } from "@agents-memory/core/store";
import { parseChainLink, readStoredWindow } from "@agents-memory/core/store";
import { rk, userItem } from "@agents-memory/core/testing";
import { startRedisWithReader } from "@agents-memory/test-servers/testing";
import { Redis } from "ioredis";
import { afterAll, expect, test } from "vitest";
import { IoRedisStore } from "../src";

/*
 * What a chained reply's fork costs Redis: it declares the keys the read before it walked, and
 * once a fork has raised the window's keys with some slack, the forks after it touch only
 * their parent (not every key of the window, as before).
 */

const { server, raw, stop } = await startRedisWithReader();
afterAll(stop);

let counter = 0;
const prefix = () => `am-chain-fork:${process.pid}:${++counter}:`;
const WINDOW = 10;

/** Every command the server runs while `run` runs, scripts' own included, with its source. */
async function monitored(run: () => Promise<void>): Promise<{ args: string[]; lua: boolean }[]> {
  const monitor = await raw.duplicate().monitor();
  const seen: { args: string[]; lua: boolean }[] = [];
  monitor.on("monitor", (_time: string, args: string[], source: string) => {
    seen.push({ args, lua: /lua/i.test(source) });
  });
  try {
    await run();
    await raw.ping("monitor-end");
    await new Promise<void>((resolve) => {
      const check = () =>
        seen.some(({ args }) => args[0]?.toLowerCase() === "ping" && args[1] === "monitor-end")
          ? resolve()
          : setTimeout(check, 5);
      check();
    });
  } finally {
    monitor.disconnect();
  }
  return seen.filter(({ args }) => args[0]?.toLowerCase() !== "ping");
}

/** A reply's turn: read the parent's window, fork it under the child with two new items. */
async function turn(store: IoRedisStore, parent: string | null, child: string, t: number) {
  const read: StoredItems = parent
    ? await readStoredWindow(store, parent, WINDOW)
    : { items: [], elements: [] };
  await store.fork(parent, [child], [userItem(`q${t}`), userItem(`a${t}`)], {
    maxItems: WINDOW,
    ttlSeconds: 600,
    parentItems: read.items,
    parentElements: read.elements,
  });
}

async function chainOf(store: IoRedisStore, p: string, turns: number): Promise<string> {
  let parent: string | null = null;
  for (let t = 0; t < turns; t++) {
    await turn(store, parent, rk(p, `m${t}`), t);
    parent = rk(p, `m${t}`);
  }
  return parent!;
}

test("a reply's fork touches only its parent, the key of the oldest item it checks, and the reply", async () => {
  const p = prefix();
  const store = new IoRedisStore({ client: new Redis(server.url), logger: silentLogger });
  try {
    const parent = await chainOf(store, p, 12);
    const child = rk(p, "next");
    const commands = await monitored(() => turn(store, parent, child, 12));
    expect(commands.filter(({ lua }) => !lua).map(({ args }) => args[0]?.toLowerCase())).toEqual([
      "evalsha",
      "evalsha",
    ]);
    const forkAt = commands.map(({ lua }) => lua).lastIndexOf(false);
    const touched = new Set(commands.slice(forkAt + 1).map(({ args }) => args[1]));
    touched.delete(undefined); // TIME
    // The window (10 items, 2 a turn) starts in m7: the fork checks its oldest item there.
    expect([...touched].sort()).toEqual([rk(p, "m11"), rk(p, "m7"), child].sort());
    const raised = commands.slice(forkAt + 1).filter(({ args }) => /^pexpire$/i.test(args[0]!));
    expect(raised.map(({ args }) => args[1])).toEqual([parent]);
    // The reply reads its whole window, and every key it reads from outlives it.
    const read = await store.read(child, WINDOW);
    expect(read).toHaveLength(WINDOW);
    const childTtl = await raw.pttl(child);
    for (let t = 7; t <= 11; t++) {
      expect(await raw.pttl(rk(p, `m${t}`))).toBeGreaterThanOrEqual(childTtl);
    }
  } finally {
    await store.close();
  }
});

test("a fork without a read before it finds the parent's keys with one read script more, and links", async () => {
  const p = prefix();
  const writer = new IoRedisStore({ client: new Redis(server.url), logger: silentLogger });
  const other = new IoRedisStore({ client: new Redis(server.url), logger: silentLogger });
  try {
    const parent = await chainOf(writer, p, 8);
    const read = await readStoredWindow(writer, parent, WINDOW);
    const child = rk(p, "elsewhere");
    const commands = await monitored(() =>
      other.fork(parent, [child], [userItem("q")], {
        maxItems: WINDOW,
        ttlSeconds: 600,
        parentItems: read.items,
        parentElements: read.elements,
      }),
    );
    // Each script is new to `other`'s connection: EVAL, not EVALSHA.
    expect(commands.filter(({ lua }) => !lua)).toHaveLength(2);
    expect(parseChainLink((await raw.lindex(child, 0)) ?? undefined)?.parent).toBe(parent);
    expect(await other.read(child, WINDOW)).toEqual([...read.items.slice(1), userItem("q")]);
  } finally {
    await writer.close();
    await other.close();
  }
});
