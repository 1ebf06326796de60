import type { ResponsesServer } from "@agents-memory/test-servers/openai";
import type { TelegramServer } from "@agents-memory/test-servers/telegram";
import { describe, expect, test } from "vitest";
import type { BotProcess, LogLine } from "./support/bot-process";
import { useBotWorld } from "./support/e2e";
import type { StoreBackend } from "./support/stores";
import { ann, bob, repliesTo, transcript } from "./support/transcript";

/** A private chat's id is its user's id. */
const ANN = ann.id;
const BOB = bob.id;
const GROUP = -1005000000001;
/** DRAFT_INTERVAL_MS, less a little for timer and clock granularity. */
const INTERVAL_FLOOR_MS = 950;

const ANSWER = "**Streams** are shown while they are written, word after word, until the end.";

describe("answers that stream (sendMessageDraft), on Redis", () => {
  let tg: TelegramServer;
  let ai: ResponsesServer;
  let store: StoreBackend;
  let bot: BotProcess;
  const t = () => transcript(tg, ai, () => bot);

  useBotWorld(
    "redis",
    () => ({}),
    (world) => {
      ({ tg, ai, store, bot } = world);
    },
  );

  test("a private chat sees drafts, at most one a second, then the final message, stored as before", async () => {
    // 14 words, 200 ms apart: about 2.6 s of writing.
    ai.script({ text: ANSWER, deltaDelayMs: 200 });
    const turn = await t().turn(ANN, "/a how do answers stream?");
    expect(turn.requests[0].stream).toBe(true);

    const drafts = tg.drafts(ANN);
    expect(drafts.length).toBeGreaterThanOrEqual(2);
    // One draft per answer, named by the user's message.
    expect(new Set(drafts.map((d) => d.draft_id))).toEqual(new Set([turn.message.message_id]));
    // Rendered as the final message is: the bold is an entity, never "**".
    expect(drafts[0]!.entities).toContainEqual({ type: "bold", offset: 0, length: 7 });
    for (const draft of drafts) expect(turn.answer.text!.startsWith(draft.text)).toBe(true);
    for (let i = 1; i < drafts.length; i++) {
      expect(drafts[i]!.at - drafts[i - 1]!.at).toBeGreaterThanOrEqual(INTERVAL_FLOOR_MS);
    }

    // The final message as without streaming: a reply, Markdown rendered, after every draft.
    expect(turn.answer.text).toBe(
      "Streams are shown while they are written, word after word, until the end.",
    );
    expect(turn.answer.entities).toEqual([{ type: "bold", offset: 0, length: 7 }]);
    expect(turn.answer.reply_to_message?.message_id).toBe(turn.message.message_id);
    const send = tg.calls.find(
      (c) => c.method === "sendMessage" && c.params.chat_id === ANN && c.response?.ok,
    )!;
    expect(Math.max(...drafts.map((d) => d.at))).toBeLessThanOrEqual(send.at);

    // The history is stored under the answer's id, and a reply continues it.
    const key = `bot:${turn.answer.message_id}:${ANN}`;
    expect((await store.raw!.items(key)).map((i) => i.role)).toEqual(["user", "assistant"]);
    const next = await t().turn(ANN, "and then?", { replyTo: turn.answer });
    expect(next.requests[0].input).toHaveLength(3);
  });

  test("a long answer streams its last part and is still split; every part carries the history", async () => {
    const dana = { id: 1004, first_name: "Dana" };
    const paragraph = (n: number) => `Paragraph ${n}: ${"word ".repeat(150).trim()}.`;
    const long = Array.from({ length: 8 }, (_, i) => paragraph(i + 1)).join("\n\n");
    ai.script({ text: long });
    const turn = await t().turn(dana.id, "/a tell me everything", { from: dana });
    expect(turn.answers.length).toBeGreaterThanOrEqual(2);
    expect(turn.answers.map((m) => m.text).join("\n\n")).toBe(long);
    const drafts = tg.drafts(dana.id);
    expect(drafts.length).toBeGreaterThanOrEqual(1);
    for (const draft of drafts) expect(draft.text.length).toBeLessThanOrEqual(4096);
    for (const answer of turn.answers) {
      const key = `bot:${answer.message_id}:${dana.id}`;
      expect(await store.raw!.items(key)).toHaveLength(2);
    }
  });

  test("a group keeps today's flow: no drafts, no streamed model call", async () => {
    ai.script({ text: ANSWER, deltaDelayMs: 20 });
    const turn = await t().turn(GROUP, "/a and in a group?");
    expect(turn.answer.text).toBe(
      "Streams are shown while they are written, word after word, until the end.",
    );
    expect(turn.requests[0].stream).toBeFalsy();
    expect(tg.drafts(GROUP)).toEqual([]);
    expect(
      tg.calls.some((c) => c.method === "sendMessageDraft" && c.params.chat_id === GROUP),
    ).toBe(false);
  });

  test.each(["disconnect", "response.failed"] as const)(
    "a stream that fails mid-way (%s) leaves the apology, never the half answer",
    async (how) => {
      const half = "This answer breaks off after a few words and never ends";
      ai.script({ streamFailure: { text: half, afterDeltas: 5, deltaDelayMs: 300, how } });
      const message = tg.sendUserMessage({ chatId: BOB, from: bob, text: `/a fail by ${how}` });
      const [apology] = await tg.waitFor((s) => {
        const replies = repliesTo(s, message);
        return replies.length > 0 && replies;
      });
      expect(apology!.text).toMatch(/^Sorry, something went wrong/);
      // The user saw the draft being written, and then only the apology.
      expect(tg.drafts(BOB).some((d) => d.draft_id === message.message_id)).toBe(true);
      const sent = tg.sentMessages(BOB).filter((m) => m.message_id > message.message_id);
      expect(sent.map((m) => m.text)).toEqual([apology!.text]);
      // No draft after the apology (it would show the half answer again).
      const apologySent = tg.calls.find(
        (c) =>
          c.method === "sendMessage" &&
          c.params.chat_id === BOB &&
          c.response?.ok &&
          (c.response.result as { message_id: number }).message_id === apology!.message_id,
      )!;
      const drafts = tg.calls.filter(
        (c) => c.method === "sendMessageDraft" && c.params.draft_id === message.message_id,
      );
      expect(Math.max(...drafts.map((c) => c.at))).toBeLessThanOrEqual(apologySent.at);
      const about = (l: LogLine) => l.chat_id === BOB && l.message_id === message.message_id;
      await bot.waitForLog((l) => l.msg === "turn failed" && about(l));
      // Nothing was answered, so nothing is stored.
      expect(bot.logs.filter(about).map((l) => l.msg)).toEqual([
        "running the agent",
        "turn failed",
      ]);
    },
  );

  test("a 429 on a draft pauses drafts for retry_after, without retrying the stale one; the answer comes", async () => {
    const chat = 1003;
    const carl = { id: chat, first_name: "Carl" };
    tg.failNext("sendMessageDraft", {
      error_code: 429,
      description: "Too Many Requests: retry after 2",
      retry_after: 2,
    });
    // 14 words, 300 ms apart: about 4 s of writing.
    ai.script({ text: ANSWER, deltaDelayMs: 300 });
    const message = tg.sendUserMessage({ chatId: chat, from: carl, text: "/a slow down" });
    const [answer] = await tg.waitFor((s) => {
      const replies = repliesTo(s, message);
      return replies.length > 0 && replies;
    });
    expect(answer!.text).toBe(
      "Streams are shown while they are written, word after word, until the end.",
    );
    const calls = tg.calls.filter(
      (c) => c.method === "sendMessageDraft" && c.params.chat_id === chat,
    );
    expect(calls[0]!.response).toMatchObject({ ok: false, error_code: 429 });
    expect(calls.length).toBeGreaterThanOrEqual(2);
    // The next draft waited out retry_after, and carried newer text than the refused one.
    expect(calls[1]!.at - calls[0]!.at).toBeGreaterThanOrEqual(2_000 - 50);
    expect(calls[1]!.params.text.length).toBeGreaterThan(calls[0]!.params.text.length);
  });
});
