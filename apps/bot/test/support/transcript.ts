import type { ResponsesServer } from "@agents-memory/test-servers/openai";
import type { Message, TelegramServer } from "@agents-memory/test-servers/telegram";
import type { BotProcess, LogLine } from "./bot-process";

export const ann = { id: 1001, first_name: "Ann", username: "ann" };
export const bob = { id: 1002, first_name: "Bob" };
export const otherBot = { id: 777, first_name: "Other", username: "other_bot", is_bot: true };

/** The turns a model request carried: "user:…", "assistant:…", or "<type>" for other items. */
export function turns(request: any): string[] {
  const input =
    typeof request.input === "string" ? [{ role: "user", content: request.input }] : request.input;
  return input.map((item: any) => {
    if (item.type !== undefined && item.type !== "message") return `<${item.type}>`;
    const text =
      typeof item.content === "string"
        ? item.content
        : item.content.map((part: any) => part.text ?? "").join("");
    return `${item.role}:${text}`;
  });
}

export interface Turn {
  message: Message;
  /** The bot's answer messages (several when split), in order. */
  answers: Message[];
  answer: Message;
  /** The model requests made during this turn. */
  requests: any[];
  log: LogLine;
}

/** Drives one user message through the bot and waits until it was answered and stored. */
export function transcript(tg: TelegramServer, ai: ResponsesServer, bot: () => BotProcess) {
  return {
    async turn(
      chatId: number,
      text: string,
      options: {
        from?: typeof ann | typeof bob;
        replyTo?: Message;
        /** Sends it in this forum topic. */
        topicId?: number;
        timeoutMs?: number;
      } = {},
    ): Promise<Turn> {
      const before = ai.requests.length;
      const message = tg.sendUserMessage({
        chatId,
        from: options.from ?? ann,
        text,
        ...(options.replyTo ? { replyTo: options.replyTo } : {}),
        ...(options.topicId !== undefined ? { topicId: options.topicId } : {}),
      });
      const log = await bot().waitForLog(
        (line) =>
          line.msg.startsWith("answered") &&
          line.chat_id === chatId &&
          line.message_id === message.message_id,
        options.timeoutMs ?? 10_000,
      );
      const ids = log.sent_message_ids as number[];
      const answers = tg.sentMessages(chatId).filter((m) => ids.includes(m.message_id));
      return { message, answers, answer: answers[0]!, requests: ai.requests.slice(before), log };
    },

    /** Waits for the bot to log that it ignored this message. */
    async ignored(message: Message): Promise<string> {
      const line = await bot().waitForLog(
        (l) =>
          l.msg === "message ignored" &&
          l.chat_id === message.chat.id &&
          l.message_id === message.message_id,
      );
      return line.reason as string;
    },
  };
}

/** Every sendMessage call that replied to `message`. */
export function repliesTo(tg: TelegramServer, message: Message): Message[] {
  return tg
    .sentMessages(message.chat.id)
    .filter((m) => m.reply_to_message?.message_id === message.message_id);
}
