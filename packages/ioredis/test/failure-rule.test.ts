import { userItem } from "@agents-memory/core/testing";
import {
  expectUnansweredCalls,
  startRedisWithReader,
  storeErrorOf,
  until,
  whileOutOfMemory,
} from "@agents-memory/test-servers/testing";
import { Redis } from "ioredis";
import { afterAll, describe, expect, test } from "vitest";
import { flavors } from "./__fixtures__/clients";

/*
 * The failure rule (core's `storeCallError`), as a user of IoRedisStore meets it: a write
 * reported "failed" changed nothing; "unknown" is said only of a write that went out and got
 * no answer. One case each: a request not sent, a read, an error answer, a write unanswered.
 */

const { server, raw, stop } = await startRedisWithReader();
afterAll(stop);

const opts = { maxItems: 50, ttlSeconds: 600 };
let counter = 0;
const prefix = () => `am-rule:${process.pid}:${++counter}:`;

describe.each(flavors)("$name", (flavor) => {
  test("a write never sent (its deadline had passed; Redis down) is failed, and nothing lands", async () => {
    const p = prefix();
    const { store, dispose } = flavor.make(server.url);
    try {
      await store.replace(`${p}k`, [userItem("a")], 600);
      const late = await storeErrorOf(
        store.append(`${p}k`, [userItem("late")], { ...opts, deadline: Date.now() - 1 }),
      );
      expect(late.outcome).toBe("failed");
      expect(late.message).not.toMatch(/may have been applied/);

      await server.kill();
      try {
        const down = await storeErrorOf(store.append(`${p}k`, [userItem("down")], opts));
        expect(down.outcome).toBe("failed");
      } finally {
        await server.restart();
      }
      await until(() => store.read(`${p}k`));
      // The restarted server has no data: a write reported failed did not come back either.
      expect(await raw.keys(`${p}*`)).toEqual([]);
    } finally {
      await dispose();
    }
  }, 20_000);

  test("an error answer to a write is failed, and the write changed nothing", async () => {
    const p = prefix();
    const { store, dispose } = flavor.make(server.url);
    try {
      await store.replace(`${p}k`, [userItem("a")], 600);
      const refused = await whileOutOfMemory(raw, () =>
        storeErrorOf(store.append(`${p}k`, [userItem("refused")], opts)),
      );
      expect(refused.message).toMatch(/OOM/);
      expect(refused.outcome).toBe("failed");
      expect(await store.read(`${p}k`)).toEqual([userItem("a")]);
    } finally {
      await dispose();
    }
  });

  test("a read that got no answer is failed; a write that got none is unknown, and says so", async () => {
    const p = prefix();
    const { store, dispose } = flavor.make(server.url, { commandTimeoutMs: 200 });
    const pauser = new Redis(server.url);
    try {
      await store.replace(`${p}k`, [userItem("a")], 600);
      await pauser.call("CLIENT", "PAUSE", "1500", "ALL");
      await expectUnansweredCalls(store, `${p}k`);
      // The write went out and ran after the pause, past its deadline: refused by the server.
      await until(() => store.read(`${p}k`));
      expect(await store.read(`${p}k`)).toEqual([userItem("a")]);
    } finally {
      pauser.disconnect();
      await dispose();
    }
  }, 20_000);
});
