import { replyKey, silentLogger } from "@agents-memory/core";
import { parseChainLink } from "@agents-memory/core/store";
import { assistantItem, userItem } from "@agents-memory/core/testing";
import { startRedisWithReader } from "@agents-memory/test-servers/testing";
import { afterAll, describe, expect, test } from "vitest";
import { failFastRedisOptions, IoRedisStore } from "../src";
import { majors } from "./__fixtures__/clients";
import { SLOW, threeTurns } from "./__fixtures__/three-turns";

const { server, raw, stop } = await startRedisWithReader();
afterAll(stop);

let chat = 700;

describe.each(majors)("$name: a client built with keyPrefix", (major) => {
  test("a 3-turn reply chain reads its whole history; the links name the parent as Redis sees it", async () => {
    const chatId = ++chat;
    const client = major.redis(server.url, {
      ...failFastRedisOptions({ commandTimeoutMs: SLOW }),
      keyPrefix: "app:",
    });
    const store = new IoRedisStore({ client, keyPrefix: "m:", logger: silentLogger });
    try {
      const { seen, last } = await threeTurns(store, chatId, [101, 102, 103]);
      expect(seen).toEqual([0, 2, 4, 6]);
      expect(last).toEqual([
        userItem("q0"),
        assistantItem("a0"),
        userItem("q1"),
        assistantItem("a1"),
        userItem("q2"),
        assistantItem("a2"),
      ]);

      // Read with a client that adds no prefix: every key carries both prefixes, and each
      // reply's link names its parent's key exactly as stored.
      const key = (id: number) => `app:m:${replyKey(id, chatId)}`;
      expect(await raw.exists(key(101), key(102), key(103))).toBe(3);
      expect(await raw.exists(`m:${replyKey(101, chatId)}`, replyKey(101, chatId))).toBe(0);
      expect(parseChainLink((await raw.lindex(key(102), 0)) ?? undefined)?.parent).toBe(key(101));
      expect(parseChainLink((await raw.lindex(key(103), 0)) ?? undefined)?.parent).toBe(key(102));
    } finally {
      await store.close();
      client.disconnect();
    }
  });
});
