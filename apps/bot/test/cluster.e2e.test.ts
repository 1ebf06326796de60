import { type RedisCluster, startRedisCluster } from "@agents-memory/test-servers/cluster";
import { type ResponsesServer, startResponsesServer } from "@agents-memory/test-servers/openai";
import { startTelegramServer, type TelegramServer } from "@agents-memory/test-servers/telegram";
import { Cluster } from "ioredis";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { BotProcess } from "./support/bot-process";
import { startBot } from "./support/e2e";
import { transcript, turns } from "./support/transcript";

const CHAT = -1005000000001;

describe("the bot on a Redis Cluster (STORE_URL=redis+cluster://…)", () => {
  let tg: TelegramServer;
  let ai: ResponsesServer;
  let cluster: RedisCluster;
  let reader: Cluster;
  let bot: BotProcess;
  const t = () => transcript(tg, ai, () => bot);

  beforeAll(async () => {
    [tg, ai, cluster] = await Promise.all([
      startTelegramServer(),
      startResponsesServer(),
      startRedisCluster(),
    ]);
    reader = new Cluster(cluster.nodes);
    bot = await startBot(tg, ai, {
      STORE_URL: `redis+cluster://${cluster.nodes.map((n) => `${n.host}:${n.port}`).join(",")}`,
    });
  });

  afterAll(async () => {
    await bot?.stop();
    reader?.disconnect();
    await Promise.all([tg?.close(), ai?.close(), cluster?.stop()]);
  });

  test("continues and forks across keys in different slots", async () => {
    const first = await t().turn(CHAT, "/a U1");
    const second = await t().turn(CHAT, "U2", { replyTo: first.answer });
    const fork = await t().turn(CHAT, "U3", { replyTo: first.answer });
    expect(turns(second.requests[0])).toHaveLength(3);
    expect(turns(fork.requests[0])).toEqual([
      "user:Ann(ann): U1",
      "assistant:echo: Ann(ann): U1",
      "user:Ann(ann): U3",
    ]);
    for (const turn of [second, fork]) {
      expect(turn.log.stored).toBe(true);
      const key = `bot:${turn.answer.message_id}:${CHAT}`;
      expect(await reader.llen(key)).toBe(4);
      expect(await reader.ttl(key)).toBeGreaterThan(604_700);
    }
  });
});
