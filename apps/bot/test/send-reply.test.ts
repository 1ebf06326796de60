import { describe, expect, test } from "vitest";
import {
  type Channel,
  isParseEntitiesError,
  SendReplyError,
  sendReply,
  splitMessage,
  TELEGRAM_TEXT_LIMIT,
} from "../src/send-reply";
import { markdownToTelegramHtml } from "../src/telegram-html";

const para = (n: number, len: number) => `${String(n).padStart(3, "0")} ${"x".repeat(len - 4)}`;

describe("splitting below Telegram's limit", () => {
  test("short text is one chunk", () => {
    expect(splitMessage("hello")).toEqual(["hello"]);
  });

  test("cuts at paragraph breaks first", () => {
    const paragraphs = Array.from({ length: 6 }, (_, i) => para(i, 1500));
    const chunks = splitMessage(paragraphs.join("\n\n"));
    expect(chunks.every((c) => c.length <= TELEGRAM_TEXT_LIMIT)).toBe(true);
    expect(chunks.join("\n\n")).toBe(paragraphs.join("\n\n"));
    expect(chunks[0]).toBe(`${paragraphs[0]}\n\n${paragraphs[1]}`);
  });

  test("then at line breaks, then at spaces", () => {
    const lines = Array.from({ length: 10 }, (_, i) => para(i, 900)).join("\n");
    const byLine = splitMessage(lines);
    expect(byLine.every((c) => c.length <= TELEGRAM_TEXT_LIMIT)).toBe(true);
    expect(byLine.join("\n")).toBe(lines);

    const words = Array.from({ length: 2000 }, (_, i) => `w${i}`).join(" ");
    const byWord = splitMessage(words);
    expect(byWord.length).toBeGreaterThan(1);
    expect(byWord.every((c) => c.length <= TELEGRAM_TEXT_LIMIT)).toBe(true);
    expect(byWord.join(" ")).toBe(words);
  });

  test("an unbroken word is cut anywhere, never inside an emoji's surrogate pair", () => {
    const long = "😀".repeat(5000);
    const chunks = splitMessage(long);
    expect(chunks.every((c) => c.length <= TELEGRAM_TEXT_LIMIT)).toBe(true);
    expect(chunks.join("")).toBe(long);
    for (const chunk of chunks) expect(/[\uD800-\uDBFF]$/.test(chunk)).toBe(false);
  });

  test("a code block cut in two is closed and reopened", () => {
    const code = Array.from({ length: 300 }, (_, i) => `const v${i} = ${i}; // some code`).join(
      "\n",
    );
    const chunks = splitMessage(`Here:\n\n\`\`\`ts\n${code}\n\`\`\`\n\nDone.`);
    expect(chunks.length).toBeGreaterThan(1);
    for (const chunk of chunks) {
      expect(chunk.length).toBeLessThanOrEqual(TELEGRAM_TEXT_LIMIT);
      expect((chunk.match(/^```/gm) ?? []).length % 2).toBe(0);
    }
    expect(chunks[1]!.startsWith("```ts\n")).toBe(true);
  });
});

describe("Markdown to Telegram HTML", () => {
  test("escapes everything and converts a small subset", () => {
    expect(markdownToTelegramHtml("a < b && **bold** _it_ `x<y>` [go](https://e.x/?a=1&b=2)")).toBe(
      'a &lt; b &amp;&amp; <b>bold</b> <i>it</i> <code>x&lt;y&gt;</code> <a href="https://e.x/?a=1&amp;b=2">go</a>',
    );
    expect(markdownToTelegramHtml("```py\nprint(1 < 2)\n```")).toBe(
      '<pre><code class="language-py">print(1 &lt; 2)</code></pre>',
    );
    expect(markdownToTelegramHtml("# Title\n- one\n- two")).toBe("<b>Title</b>\n• one\n• two");
    expect(markdownToTelegramHtml("snake_case_name and 2*3*4")).toBe("snake_case_name and 2*3*4");
  });

  test("links with parentheses in the URL; __ inside a word is not bold", () => {
    expect(
      markdownToTelegramHtml("see [Lisp](https://en.wikipedia.org/wiki/Lisp_(language))."),
    ).toBe('see <a href="https://en.wikipedia.org/wiki/Lisp_(language)">Lisp</a>.');
    expect(markdownToTelegramHtml("x__y__z and C:\\__init__ and __bold__")).toBe(
      "x__y__z and C:\\__init__ and <b>bold</b>",
    );
  });
});

/** A channel that records what it sends and can refuse HTML, like Telegram does. */
function recordingChannel(options: { rejectHtml?: boolean; failAt?: number } = {}) {
  const sent: { text: string; parseMode?: string | undefined; replyTo?: number | undefined }[] = [];
  let nextId = 100;
  const channel: Channel = {
    async sendMessage(_chatId, text, { parseMode, replyToMessageId }) {
      if (options.failAt !== undefined && sent.length === options.failAt) {
        throw Object.assign(new Error("Too Many Requests"), { error_code: 500 });
      }
      if (parseMode === "HTML" && options.rejectHtml) {
        throw Object.assign(new Error("Call to 'sendMessage' failed!"), {
          error_code: 400,
          description: "Bad Request: can't parse entities: Unsupported start tag",
        });
      }
      sent.push({ text, parseMode, replyTo: replyToMessageId });
      return nextId++;
    },
    async sendTyping() {},
  };
  return { channel, sent };
}

describe("sending", () => {
  test("sends HTML replies and returns every message id", async () => {
    const { channel, sent } = recordingChannel();
    const text = `${"a".repeat(3000)}\n\n**${"b".repeat(3000)}**`;
    const ids = await sendReply(channel, text, {
      chatId: 1,
      replyToMessageId: 7,
      parseMode: "html",
    });
    expect(ids).toEqual([100, 101]);
    expect(sent.map((s) => s.parseMode)).toEqual(["HTML", "HTML"]);
    expect(sent.every((s) => s.replyTo === 7)).toBe(true);
    expect(sent[1]!.text).toBe(`<b>${"b".repeat(3000)}</b>`);
  });

  test("resends as plain text when Telegram cannot parse the entities", async () => {
    const { channel, sent } = recordingChannel({ rejectHtml: true });
    const ids = await sendReply(channel, "**x** < y", { chatId: 1, parseMode: "html" });
    expect(ids).toEqual([100]);
    expect(sent).toEqual([{ text: "**x** < y", parseMode: undefined, replyTo: undefined }]);
  });

  test("a failure after some chunks reports the ids already sent", async () => {
    const { channel } = recordingChannel({ failAt: 1 });
    const error = await sendReply(channel, `${"a".repeat(4000)}\n\n${"b".repeat(100)}`, {
      chatId: 1,
      parseMode: "plain",
    }).catch((e) => e);
    expect(error).toBeInstanceOf(SendReplyError);
    expect(error.sentMessageIds).toEqual([100]);
  });

  test("recognises Telegram's parse error", () => {
    expect(isParseEntitiesError({ description: "Bad Request: can't parse entities: x" })).toBe(
      true,
    );
    expect(isParseEntitiesError(new Error("Bad Request: chat not found"))).toBe(false);
  });
});
