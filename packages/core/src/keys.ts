import { describeValue } from "./describe-value";

/** Default key prefix, as the Python bot wrote it: `bot:{message_id}:{chat_id}`. */
export const DEFAULT_KEY_PREFIX = "bot";

const PREFIX_PATTERN = /^[A-Za-z0-9_.\-:{}]+$/;

function assertTelegramId(name: string, value: unknown): asserts value is number {
  if (typeof value !== "number" || !Number.isSafeInteger(value)) {
    throw new TypeError(
      `[agents-memory] ${name} must be a safe integer (a Telegram id), got ${describeValue(value)}`,
    );
  }
}

/**
 * The key of the history that continues from one bot message: `bot:<messageId>:<chatId>`.
 * Only safe integers are accepted, so no key can be built from arbitrary text.
 * Chat ids may be negative (groups are `-100…`); message ids are positive.
 */
export function replyKey(messageId: number, chatId: number, prefix = DEFAULT_KEY_PREFIX): string {
  assertTelegramId("messageId", messageId);
  assertTelegramId("chatId", chatId);
  if (messageId <= 0) {
    throw new RangeError(`[agents-memory] messageId must be positive, got ${messageId}`);
  }
  assertKeyPrefix(prefix);
  return `${prefix}:${messageId}:${chatId}`;
}

/** A prefix is a short identifier; anything else would let config smuggle text into keys. */
export function assertKeyPrefix(prefix: unknown): asserts prefix is string {
  if (typeof prefix !== "string" || prefix.length === 0 || prefix.length > 64) {
    throw new TypeError(
      `[agents-memory] key prefix must be a non-empty string of at most 64 chars`,
    );
  }
  if (!PREFIX_PATTERN.test(prefix)) {
    throw new TypeError(
      `[agents-memory] key prefix ${JSON.stringify(prefix)} may only hold letters, digits and _ . - : { }`,
    );
  }
}
