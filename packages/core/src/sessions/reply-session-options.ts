import { optionNames } from "../store";
import { MEMORY_OPTION_NAMES, type MemoryOptions } from "./session-options";
import type { SummaryOptions } from "./summary";

/** Options of `ReplySession`: `store` and `chatId` are required; the rest have defaults. */
export interface ReplySessionOptions extends MemoryOptions {
  /** The chat the conversation lives in (negative for groups). */
  chatId: number;
  /** The bot message the user replied to; null/undefined starts a new conversation. */
  replyToMessageId?: number | null;
  /**
   * When the replied-to message was sent: unix seconds (Telegram's `reply_to_message.date`) or
   * a `Date`. With it, a reply to a message younger than `ttlSeconds` whose key is gone is
   * reported as a lost history (`readOutcome` `"missing"`, and a warning with the key and the
   * message's age) instead of reading as a new conversation. Optional; an invalid value is
   * logged and ignored.
   */
  replyToMessageDate?: number | Date | null;
  /** Key prefix: keys are `<prefix>:<messageId>:<chatId>`. Default `bot`. */
  keyPrefix?: string;
  /**
   * Opt-in: a summary of what falls out of the window, kept at its head and living in the
   * reply chain (a reply inherits its parent's; a fork from an older answer keeps that
   * answer's). `{ model | agent, instructions?, everyTurns? = 10, timeoutMs? = 30000, runner?,
   * onError? }`, see `SummaryOptions`. Items out of the window are kept until summarised; the
   * summariser runs after `persist`'s write, in the background (`flushSummary()` awaits it).
   * Default: none.
   */
  summary?: SummaryOptions;
}

/** Every name of {@link ReplySessionOptions}: any other is refused. */
export const REPLY_SESSION_OPTION_NAMES: readonly string[] = [
  ...MEMORY_OPTION_NAMES,
  ...optionNames<Omit<ReplySessionOptions, keyof MemoryOptions>>({
    chatId: true,
    replyToMessageId: true,
    replyToMessageDate: true,
    keyPrefix: true,
    summary: true,
  }),
];
