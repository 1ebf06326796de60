import { type ChatMessage, ownText, parseCommand } from "./message-text";
import { isUsageNotice } from "./usage-budget";

/*
 * What the bot does with a message, before any store or model call: ignore it, answer with a
 * notice (help, /usage, the no-text reply), or run the agent on a new or a continued
 * conversation.
 */

/** Who the bot is (from getMe, or the console's stand-in). */
export interface BotIdentity {
  id: number;
  username: string;
  firstName: string;
}

export type Decision =
  | { action: "ignore"; reason: string }
  | { action: "help" }
  | { action: "usage-report" }
  | { action: "usage" }
  | { action: "no-text" }
  | {
      action: "run";
      /** The bot message replied to (its history continues), or null for a new conversation. */
      parentMessageId: number | null;
    };

export const NO_TEXT_REPLY =
  "I can only read text. Send your question as text (a photo needs a caption).";

/** What {@link decide} needs: the agent commands, the allowlist (empty: every chat), the bot. */
export interface DecideContext {
  commands: ReadonlySet<string>;
  whitelist: ReadonlySet<number>;
  identity: BotIdentity;
}

/** The help text, naming the agent commands (`commands` without the slash) and the bot. */
export function helpText(commands: Iterable<string>, username: string): string {
  const named = [...commands].map((c) => `/${c}`);
  return [
    `Ask me with ${named.join(" or ")} followed by your question, e.g. ${named[0]} what is a closure?`,
    "Reply to one of my answers to continue that conversation; replying to an older answer starts a new branch from there.",
    `In groups, ${named[0]}@${username} addresses me explicitly.`,
  ].join("\n");
}

/** The decision for one message. */
export function decide(message: ChatMessage, context: DecideContext): Decision {
  const { identity, commands, whitelist } = context;
  if (whitelist.size > 0 && !whitelist.has(message.chatId)) {
    return { action: "ignore", reason: "chat not on the allowlist" };
  }
  if (message.from?.isBot) return { action: "ignore", reason: "sent by a bot" };
  const command = parseCommand(message);
  if (command?.target && command.target !== identity.username.toLowerCase()) {
    return { action: "ignore", reason: "command for another bot" };
  }
  if (command && (command.name === "start" || command.name === "help")) {
    return { action: "help" };
  }
  if (command?.name === "usage") return { action: "usage-report" };
  const isAgentCommand = command !== undefined && commands.has(command.name);
  if (command && !isAgentCommand) return { action: "ignore", reason: "other command" };
  const repliesToBot = message.replyTo?.from?.id === identity.id;
  if (!isAgentCommand && !repliesToBot) {
    return { action: "ignore", reason: message.replyTo ? "reply to someone else" : "no command" };
  }
  if (message.text === undefined) return { action: "no-text" };
  if (!ownText(message)) {
    // A bare /a replying to someone's text asks about that text; otherwise nothing to ask.
    const quotable = message.replyTo && !repliesToBot && ownText(message.replyTo);
    if (!quotable) return { action: "usage" };
  }
  // A reply to a notice (the help, /usage…) starts a new conversation quoting it: no history
  // was ever stored under a notice, so reading its key would report a lost one.
  const continues = repliesToBot && !isNotice(message.replyTo!.text, context);
  return { action: "run", parentMessageId: continues ? message.replyTo!.messageId : null };
}

/**
 * True for a text the bot sends that is not an answer: the help, the no-text reply, /usage
 * and the spent budget. Told by its text, so a notice costs no store write.
 */
function isNotice(text: string | undefined, context: DecideContext): boolean {
  if (text === undefined) return false;
  const help = helpText(context.commands, context.identity.username);
  return text === help || text === NO_TEXT_REPLY || isUsageNotice(text);
}
