import { freePort } from "@agents-memory/test-servers/free-port";
import type { ResponsesServer } from "@agents-memory/test-servers/openai";
import type { TelegramServer } from "@agents-memory/test-servers/telegram";
import { describe, expect, test } from "vitest";
import type { HealthReport } from "../src/health/healthz";
import type { BotProcess, LogLine } from "./support/bot-process";
import { useBotWorld } from "./support/e2e";
import type { StoreBackend } from "./support/stores";
import { transcript } from "./support/transcript";

const CHAT = -1004000000001;
const SECRET = "health-secret";

/** The sum of a counter over every stats line logged so far. */
function statsSum(bot: BotProcess, pick: (line: LogLine) => number): number {
  return bot.logs.filter((l) => l.msg === "stats").reduce((sum, l) => sum + pick(l), 0);
}

describe("the stats line and /healthz in polling mode (HEALTH_PORT), on Redis", () => {
  let tg: TelegramServer;
  let ai: ResponsesServer;
  let store: StoreBackend;
  let bot: BotProcess;
  let healthz: string;
  const t = () => transcript(tg, ai, () => bot);

  useBotWorld(
    "redis",
    async () => {
      const port = await freePort();
      healthz = `http://127.0.0.1:${port}/healthz`;
      return { STATS_INTERVAL_SECONDS: "1", HEALTH_HOST: "127.0.0.1", HEALTH_PORT: String(port) };
    },
    (world) => {
      ({ tg, ai, store, bot } = world);
    },
  );

  test("turns, reads, histories and store latency show in the stats lines and in /healthz", async () => {
    const first = await t().turn(CHAT, "/a remember 42");
    await t().turn(CHAT, "and then?", { replyTo: first.answer });
    // A history deleted before its TTL (evicted): the reply reads it as missing.
    const lost = await t().turn(CHAT, "/a forget this");
    await store.raw!.del(`bot:${lost.answer.message_id}:${CHAT}`);
    await t().turn(CHAT, "what was it?", { replyTo: lost.answer });

    const response = await fetch(healthz);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^application\/json/);
    const report = (await response.json()) as HealthReport;
    expect(report.status).toBe("ok");
    expect(report.store.reachable).toBe(true);
    expect(report.store.ms).toBeGreaterThanOrEqual(0);
    const minute = report.last_minute;
    expect(minute.turns).toEqual({ answered: 4, failed: 0 });
    expect(minute.reads).toEqual({ none: 2, whole: 1, truncated: 0, missing: 1, failed: 0 });
    expect(minute.histories).toEqual({ stored: 4, unknown: 0, not_stored: 0 });
    expect(minute.answer_ms.count).toBe(4);
    expect(minute.answer_ms.p50).toBeGreaterThanOrEqual(0);
    expect(minute.answer_ms.p99).toBeGreaterThanOrEqual(minute.answer_ms.p50!);
    // Two reads (the replies' parents; a new conversation reads nothing), four writes.
    expect(minute.store_ms.read.count).toBe(2);
    expect(minute.store_ms.write.count).toBe(4);

    // The lines cover every turn once, whichever second each fell in.
    await bot.waitForLog(() => statsSum(bot, (l) => (l.turns as any).answered) === 4, 5_000);
    expect(statsSum(bot, (l) => (l.histories as any).stored)).toBe(4);
    expect(statsSum(bot, (l) => (l.reads as any).missing)).toBe(1);
    expect(statsSum(bot, (l) => (l.reads as any).whole)).toBe(1);
    expect(statsSum(bot, (l) => (l.store_ms as any).write.count)).toBe(4);
    const line = bot.logs.find((l) => l.msg === "stats" && (l.turns as any).answered > 0)!;
    expect(line).toMatchObject({ level: 30, interval_s: 1 });
  });

  test("with Redis down, /healthz answers 503 within the store budget and the turn counts as not stored", async () => {
    const first = await t().turn(CHAT, "/a before the outage");
    const before = ((await (await fetch(healthz)).json()) as HealthReport).last_minute;
    await store.kill();

    const started = Date.now();
    const response = await fetch(healthz);
    const elapsed = Date.now() - started;
    expect(response.status).toBe(503);
    const report = (await response.json()) as HealthReport;
    expect(report.status).toBe("store_unreachable");
    expect(report.store.reachable).toBe(false);
    expect(report.store.error).toEqual(expect.any(String));
    // A killed Redis refuses at once (STORE_TIMEOUT_MS, 1000 ms, bounds a hung one); slack for a
    // loaded machine.
    expect(elapsed).toBeLessThan(2_000);

    const during = await t().turn(CHAT, "during?", { replyTo: first.answer });
    expect(during.log.stored).toBe(false);
    const after = (await (await fetch(healthz)).json()) as HealthReport;
    const minute = after.last_minute;
    expect(minute.turns.answered).toBe(before.turns.answered + 1);
    expect(minute.reads.failed).toBe(before.reads.failed + 1);
    expect(minute.histories.stored).toBe(before.histories.stored);
    const notStored = (h: HealthReport["last_minute"]["histories"]) => h.not_stored + h.unknown;
    expect(notStored(minute.histories)).toBe(notStored(before.histories) + 1);
  });
});

describe("/healthz on the webhook server, on Redis", () => {
  let store: StoreBackend;
  let bot: BotProcess;
  let base: string;

  useBotWorld(
    "redis",
    async () => {
      const port = await freePort();
      base = `http://127.0.0.1:${port}`;
      return {
        BOT_MODE: "webhook",
        WEBHOOK_SECRET: SECRET,
        WEBHOOK_HOST: "127.0.0.1",
        WEBHOOK_PORT: String(port),
        STATS_INTERVAL_SECONDS: "0",
      };
    },
    (world) => {
      ({ store, bot } = world);
    },
  );

  test("200 with the report while Redis answers, 503 once it is gone; no stats line when off", async () => {
    const up = await fetch(`${base}/healthz`);
    expect(up.status).toBe(200);
    expect(await up.json()).toMatchObject({
      status: "ok",
      store: { reachable: true },
      last_minute: { turns: { answered: 0, failed: 0 } },
    });
    await store.kill();
    const down = await fetch(`${base}/healthz`);
    expect(down.status).toBe(503);
    expect(await down.json()).toMatchObject({
      status: "store_unreachable",
      store: { reachable: false },
    });
    expect(bot.logs.some((l) => l.msg === "stats")).toBe(false);
  });
});
