import type { ResponsesServer } from "@agents-memory/test-servers/openai";
import type { TelegramServer } from "@agents-memory/test-servers/telegram";
import { describe, expect, test } from "vitest";
import type { BotProcess } from "./support/bot-process";
import { useBotWorld } from "./support/e2e";
import type { StoreBackend, StoreKind } from "./support/stores";
import { ann, repliesTo, transcript, turns } from "./support/transcript";

const CHAT = -1002000000001;

describe.each(["redis", "upstash"] as StoreKind[])(
  "the %s store killed mid-conversation",
  (kind) => {
    let tg: TelegramServer;
    let ai: ResponsesServer;
    let store: StoreBackend;
    let bot: BotProcess;
    const t = () => transcript(tg, ai, () => bot);

    useBotWorld(
      kind,
      () => ({}),
      (world) => {
        ({ tg, ai, store, bot } = world);
      },
    );

    test("the bot still answers, quickly, and the logs report the store failure", async () => {
      const first = await t().turn(CHAT, "/a remember 42");
      expect(first.log.stored).toBe(true);

      await store.kill();
      const started = Date.now();
      const reply = tg.sendUserMessage({
        chatId: CHAT,
        from: ann,
        text: "what did I say?",
        replyTo: first.answer,
      });
      const answer = await tg.waitFor((s) => repliesTo(s, reply)[0]);
      const elapsed = Date.now() - started;
      // Without history, the replied-to answer is quoted so the model still sees the context.
      expect(answer.text).toBe(
        `echo: Memory Test Bot(${tg.bot.username}): echo: Ann(ann): remember 42\n\nAnn(ann): what did I say?`,
      );
      // Two store calls (read, write) at the bot's default store timeout, plus slack for a loaded
      // machine; a bot that waited for the store would take until the test's own timeout.
      const storeTimeoutMs = 1000;
      expect(elapsed).toBeLessThan(2 * storeTimeoutMs + 2000);
      const [request] = ai.requests.slice(-1);
      expect(turns(request)).toHaveLength(1);

      const failures = await bot.waitForLog(
        (l) => l.msg === "store call failed; the run goes on without it" && l.operation === "fork",
      );
      expect(failures.key).toBe(`bot:${answer.message_id}:${CHAT}`);
      expect(
        bot.logs.some(
          (l) =>
            l.msg === "store call failed; the run goes on without it" && l.operation === "read",
        ),
      ).toBe(true);
      const answered = await bot.waitForLog(
        (l) => l.msg.startsWith("answered") && l.message_id === reply.message_id,
      );
      expect(answered.stored).toBe(false);
      // The update could not be claimed either: answered anyway (rather than not at all), said once.
      const unclaimed = bot.logs.filter((l) => l.msg.startsWith("could not claim the update"));
      expect(unclaimed).toHaveLength(1);
      expect(unclaimed[0]).toMatchObject({ level: 40, update_id: answered.update_id, attempts: 3 });
    });
  },
);
