import type { Update } from "grammy/types";

/**
 * Why the bot cannot handle `update`, or undefined when it can: a message must carry the fields
 * the bot reads (a numeric `message_id`, a `chat` with a numeric `id`), and so must the message
 * it replies to. Telegram always sends them; a webhook body from elsewhere (a proxy, a test, a
 * forged call with the right secret) may not, and must not crash a turn.
 */
export function malformedUpdate(update: Update): string | undefined {
  if (!("message" in update)) return undefined;
  const problem = malformedMessage(update.message);
  if (problem) return `message ${problem}`;
  const replied = (update.message as { reply_to_message?: unknown }).reply_to_message;
  if (replied === undefined) return undefined;
  const repliedProblem = malformedMessage(replied);
  return repliedProblem ? `message.reply_to_message ${repliedProblem}` : undefined;
}

function malformedMessage(message: unknown): string | undefined {
  if (message === null || typeof message !== "object") return "is not an object";
  const { message_id, chat } = message as { message_id?: unknown; chat?: { id?: unknown } };
  if (typeof message_id !== "number") return "has no message_id";
  if (chat === null || typeof chat !== "object") return "has no chat";
  if (typeof chat.id !== "number") return "has a chat without an id";
  return undefined;
}
