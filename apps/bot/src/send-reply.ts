import type { Logger } from "./logger";
import { markdownToTelegramHtml } from "./telegram-html";

/** Telegram's limit on a message's text, in UTF-16 code units (what JS `length` counts). */
export const TELEGRAM_TEXT_LIMIT = 4096;

/** Where answers go: Telegram, or the terminal. */
export interface Channel {
  /** Sends one message; resolves with its message id. */
  sendMessage(
    chatId: number,
    text: string,
    options: { parseMode?: "HTML" | undefined; replyToMessageId?: number | undefined },
  ): Promise<number>;
  /** Shows "typing…" (Telegram keeps it ~5 s). */
  sendTyping(chatId: number): Promise<void>;
}

const FENCE = /^```([\w+#.-]*)/gm;

/**
 * Splits text into chunks of at most `limit` characters, cutting at a paragraph break, else a
 * line break, else a space, else (one unbroken word) anywhere but inside a surrogate pair.
 * A code block cut in two is closed at the end of one chunk and reopened in the next.
 */
export function splitMessage(text: string, limit = TELEGRAM_TEXT_LIMIT): string[] {
  if (limit < 16) throw new RangeError("limit must be at least 16");
  const chunks: string[] = [];
  let rest = text.trim();
  while (rest.length > limit) {
    // Leave room for closing (and the next chunk reopening) a code block cut in two.
    const window = rest.slice(0, limit - 4);
    let cut = lastBreak(window, "\n\n");
    let skip = /^\n+/;
    if (cut <= 0) cut = lastBreak(window, "\n");
    if (cut <= 0) {
      cut = lastSpace(window);
      skip = /^[^\S\n]+/;
    }
    if (cut <= 0) {
      cut = window.length;
      const code = window.charCodeAt(cut - 1);
      if (code >= 0xd800 && code <= 0xdbff) cut -= 1; // never split a surrogate pair
      skip = /^/;
    }
    let chunk = rest.slice(0, cut).replace(/\s+$/, "");
    rest = rest.slice(cut).replace(skip, "");
    const openFence = unclosedFence(chunk);
    if (openFence !== undefined) {
      chunk = `${chunk}\n\`\`\``;
      rest = `\`\`\`${openFence}\n${rest}`;
    }
    if (chunk.trim()) chunks.push(chunk);
  }
  if (rest.trim()) chunks.push(rest);
  return chunks;
}

function lastBreak(window: string, separator: string): number {
  return window.lastIndexOf(separator);
}

function lastSpace(window: string): number {
  for (let i = window.length - 1; i > 0; i--) {
    if (/\s/.test(window[i]!)) return i;
  }
  return -1;
}

/** The language of a code block left open at the end of `chunk` ("" for none), or undefined. */
function unclosedFence(chunk: string): string | undefined {
  let open: string | undefined;
  for (const match of chunk.matchAll(FENCE)) {
    open = open === undefined ? (match[1] ?? "") : undefined;
  }
  return open;
}

/** Telegram's answer when the HTML (or Markdown) of a message is malformed. */
export function isParseEntitiesError(error: unknown): boolean {
  const description =
    (error as { description?: unknown })?.description ?? (error as Error)?.message ?? "";
  return typeof description === "string" && /can't parse entities/i.test(description);
}

/** A send that failed after some chunks went out: those ids still carry the conversation. */
export class SendReplyError extends Error {
  readonly sentMessageIds: number[];
  constructor(error: unknown, sentMessageIds: number[]) {
    super(`sending the answer failed after ${sentMessageIds.length} message(s)`, {
      cause: error,
    });
    this.name = "SendReplyError";
    this.sentMessageIds = sentMessageIds;
  }
}

export interface SendReplyOptions {
  chatId: number;
  /** The user's message; every chunk replies to it. */
  replyToMessageId?: number | undefined;
  parseMode: "html" | "plain";
  logger?: Logger | undefined;
}

/**
 * Sends an answer: split below the limit, each chunk as HTML (from the model's Markdown) and,
 * when Telegram cannot parse it, again as plain text. Returns the sent message ids in order.
 */
export async function sendReply(
  channel: Channel,
  text: string,
  options: SendReplyOptions,
): Promise<number[]> {
  const ids: number[] = [];
  for (const chunk of splitMessage(text)) {
    try {
      ids.push(await sendChunk(channel, chunk, options));
    } catch (error) {
      throw new SendReplyError(error, ids);
    }
  }
  return ids;
}

async function sendChunk(channel: Channel, chunk: string, options: SendReplyOptions) {
  const { chatId, replyToMessageId } = options;
  if (options.parseMode === "html") {
    const html = markdownToTelegramHtml(chunk);
    // Entity parsing never makes a text longer, but the tags do: HTML beyond the limit is fine
    // for Telegram as long as the visible text fits, which the split guarantees.
    try {
      return await channel.sendMessage(chatId, html, { parseMode: "HTML", replyToMessageId });
    } catch (error) {
      if (!isParseEntitiesError(error)) throw error;
      options.logger?.warn(
        { chat_id: chatId, description: (error as { description?: string }).description },
        "Telegram rejected the formatting; sending as plain text",
      );
    }
  }
  return channel.sendMessage(chatId, chunk, { replyToMessageId });
}
