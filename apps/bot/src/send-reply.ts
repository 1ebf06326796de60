import type { Logger } from "./logger";
import { escapeHtml } from "./render/formatted-text-to-html";
import {
  markdownToTelegramParts,
  plainTextParts,
  type TelegramPart,
} from "./render/telegram-parts";

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
  /**
   * Shows a draft of the answer being written (Telegram's sendMessageDraft; drafts with one
   * `draftId` are one animated draft). Only where answers stream: a private chat on Telegram.
   */
  sendDraft?(
    chatId: number,
    draftId: number,
    text: string,
    options: { parseMode?: "HTML" | undefined },
    signal: AbortSignal,
  ): Promise<void>;
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
 * Sends an answer, split below Telegram's limit. In "html" mode the model's Markdown goes out as
 * Telegram HTML (markdownToTelegramParts); a part Telegram cannot parse is logged with
 * Telegram's reason and sent again as the Markdown it came from, in plain text. Resolves with
 * the sent message ids in order; rejects with a SendReplyError carrying the ids already sent.
 */
export async function sendReply(
  channel: Channel,
  text: string,
  options: SendReplyOptions,
): Promise<number[]> {
  const { chatId, replyToMessageId } = options;
  const sendPlain = (part: string) => channel.sendMessage(chatId, part, { replyToMessageId });
  const ids: number[] = [];
  try {
    if (options.parseMode === "plain") {
      for (const part of plainTextParts(text)) ids.push(await sendPlain(part));
      return ids;
    }
    for (const part of renderParts(text, options.logger)) {
      const id = await sendHtml(channel, part, options);
      if (id !== undefined) {
        ids.push(id);
        continue;
      }
      for (const piece of plainTextParts(part.markdown || part.text)) {
        ids.push(await sendPlain(piece));
      }
    }
    return ids;
  } catch (error) {
    throw new SendReplyError(error, ids);
  }
}

/**
 * The answer's parts. Markdown the renderer cannot take (nesting thousands deep overflows the
 * parser's stack) is logged and sent as plain text rather than lost.
 */
function renderParts(markdown: string, logger: Logger | undefined): TelegramPart[] {
  try {
    return markdownToTelegramParts(markdown);
  } catch (error) {
    logger?.error(
      { err: error },
      "could not render the answer's Markdown; sending it as plain text",
    );
    return plainTextParts(markdown).map((text) => ({
      html: escapeHtml(text),
      text,
      markdown: text,
    }));
  }
}

/** Sends a part as HTML; resolves undefined (logged) when Telegram cannot parse it. */
async function sendHtml(
  channel: Channel,
  part: TelegramPart,
  { chatId, replyToMessageId, logger }: SendReplyOptions,
): Promise<number | undefined> {
  try {
    // The tags can make the HTML longer than the limit: Telegram counts the text after
    // parsing, which the split keeps below it.
    return await channel.sendMessage(chatId, part.html, { parseMode: "HTML", replyToMessageId });
  } catch (error) {
    if (!isParseEntitiesError(error)) throw error;
    logger?.warn(
      { chat_id: chatId, description: (error as { description?: string }).description },
      "Telegram rejected the formatting; sending the Markdown as plain text",
    );
    return undefined;
  }
}
