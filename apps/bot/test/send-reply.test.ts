import { Writable } from "node:stream";
import pino from "pino";
import { describe, expect, test } from "vitest";
import { type Channel, isParseEntitiesError, SendReplyError, sendReply } from "../src/send-reply";

/** A channel that records what it sends and can refuse HTML, like Telegram does. */
function recordingChannel(
  options: { rejectHtml?: (text: string) => boolean; failAt?: number } = {},
) {
  const sent: { text: string; parseMode?: string | undefined; replyTo?: number | undefined }[] = [];
  let nextId = 100;
  const channel: Channel = {
    async sendMessage(_chatId, text, { parseMode, replyToMessageId }) {
      if (options.failAt !== undefined && sent.length === options.failAt) {
        throw Object.assign(new Error("Too Many Requests"), { error_code: 500 });
      }
      if (parseMode === "HTML" && options.rejectHtml?.(text)) {
        throw Object.assign(new Error("Call to 'sendMessage' failed!"), {
          error_code: 400,
          description:
            'Bad Request: can\'t parse entities: Unsupported start tag "x" at byte offset 0',
        });
      }
      sent.push({ text, parseMode, replyTo: replyToMessageId });
      return nextId++;
    },
    async sendTyping() {},
  };
  return { channel, sent };
}

function capturingLogger() {
  const lines: any[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(JSON.parse(String(chunk)));
      done();
    },
  });
  return { logger: pino({ level: "debug" }, stream), lines };
}

describe("sending an answer", () => {
  test("HTML parts, each a reply to the user's message; every message id returned", async () => {
    const { channel, sent } = recordingChannel();
    const text = `${"a".repeat(3000)}\n\n**${"b".repeat(3000)}**`;
    const ids = await sendReply(channel, text, {
      chatId: 1,
      replyToMessageId: 7,
      parseMode: "html",
    });
    expect(ids).toEqual([100, 101]);
    expect(sent).toEqual([
      { text: "a".repeat(3000), parseMode: "HTML", replyTo: 7 },
      { text: `<b>${"b".repeat(3000)}</b>`, parseMode: "HTML", replyTo: 7 },
    ]);
  });

  test("a part Telegram cannot parse is logged with Telegram's reason and resent as its Markdown", async () => {
    const { channel, sent } = recordingChannel({ rejectHtml: (html) => html.includes("second") });
    const { logger, lines } = capturingLogger();
    const first = `**first** ${"a".repeat(3000)}`;
    const second = `_second_ ${"b".repeat(3000)} <x>`;
    const ids = await sendReply(channel, `${first}\n\n${second}`, {
      chatId: 1,
      parseMode: "html",
      logger,
    });
    expect(ids).toEqual([100, 101]);
    expect(sent).toEqual([
      { text: `<b>first</b> ${"a".repeat(3000)}`, parseMode: "HTML", replyTo: undefined },
      { text: second, parseMode: undefined, replyTo: undefined },
    ]);
    const warning = lines.find((l) => l.msg.startsWith("Telegram rejected the formatting"));
    expect(warning).toMatchObject({
      level: 40,
      chat_id: 1,
      description: 'Bad Request: can\'t parse entities: Unsupported start tag "x" at byte offset 0',
    });
  });

  test("Markdown the renderer cannot take is logged and sent as plain text", async () => {
    const { channel, sent } = recordingChannel();
    const { logger, lines } = capturingLogger();
    // Quotes nested 20,000 deep overflow the parser's stack.
    const text = `${">".repeat(20_000)} a < b`;
    const ids = await sendReply(channel, text, { chatId: 1, parseMode: "html", logger });
    // 20,006 characters in parts of 4,096: five messages, the text escaped for HTML.
    expect(ids).toEqual([100, 101, 102, 103, 104]);
    expect(sent.map((s) => s.text).join("")).toBe(text.replace(/>/g, "&gt;").replace(/</g, "&lt;"));
    expect(sent.every((s) => s.parseMode === "HTML")).toBe(true);
    const logged = lines.find((l) => l.msg.startsWith("could not render"));
    expect(logged).toMatchObject({ level: 50, err: { type: "RangeError" } });
  });

  test("a failure after some parts reports the ids already sent", async () => {
    const { channel } = recordingChannel({ failAt: 1 });
    const error = await sendReply(channel, `${"a".repeat(4000)}\n\n${"b".repeat(100)}`, {
      chatId: 1,
      parseMode: "html",
    }).catch((e) => e);
    expect(error).toBeInstanceOf(SendReplyError);
    expect(error.sentMessageIds).toEqual([100]);
    expect(error.cause.error_code).toBe(500);
  });

  test("plain mode sends the text as written, split below the limit", async () => {
    const { channel, sent } = recordingChannel();
    const text = `**${"a".repeat(3000)}**\n\n<b>${"c".repeat(2000)}</b>`;
    const ids = await sendReply(channel, text, { chatId: 1, parseMode: "plain" });
    expect(ids).toEqual([100, 101]);
    expect(sent.map((s) => [s.text, s.parseMode])).toEqual([
      [`**${"a".repeat(3000)}**`, undefined],
      [`<b>${"c".repeat(2000)}</b>`, undefined],
    ]);
  });

  test("recognises Telegram's parse error", () => {
    expect(isParseEntitiesError({ description: "Bad Request: can't parse entities: x" })).toBe(
      true,
    );
    expect(isParseEntitiesError(new Error("Bad Request: chat not found"))).toBe(false);
  });
});
