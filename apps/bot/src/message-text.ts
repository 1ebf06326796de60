/**
 * The transport-independent shape of an incoming message, and the text the agent is given:
 * `{first_name}({username}): {text}`, with the replied-to message first when there is one.
 */

export interface ChatUser {
  id: number;
  isBot: boolean;
  firstName: string;
  username?: string | undefined;
}

export interface TextEntity {
  type: string;
  offset: number;
  length: number;
}

export interface ChatMessage {
  messageId: number;
  chatId: number;
  from?: ChatUser | undefined;
  /** The text, or a media caption. Undefined for a message without either (a sticker). */
  text?: string | undefined;
  /** Entities of `text` (or of the caption). */
  entities?: readonly TextEntity[] | undefined;
  /** The message this one replies to (one level deep). */
  replyTo?: ChatMessage | undefined;
  /** When it was sent, in unix seconds (Telegram's `date`); tells a lost history from an expired one. */
  date?: number | undefined;
}

export interface ParsedCommand {
  /** Lowercase, without the slash or @mention. */
  name: string;
  /** The `@bot` the command is addressed to, lowercase, if any. */
  target: string | undefined;
  /** The text after the command, trimmed. */
  rest: string;
}

/**
 * The command the message starts with, from its `bot_command` entity at offset 0 (Telegram
 * marks commands that way; text that merely starts with "/" is not a command).
 */
export function parseCommand(
  message: Pick<ChatMessage, "text" | "entities">,
): ParsedCommand | undefined {
  const text = message.text;
  if (!text) return undefined;
  const entity = message.entities?.find((e) => e.type === "bot_command" && e.offset === 0);
  if (!entity || entity.length < 2) return undefined;
  const command = text.slice(1, entity.length);
  const at = command.indexOf("@");
  return {
    name: (at >= 0 ? command.slice(0, at) : command).toLowerCase(),
    target: at >= 0 ? command.slice(at + 1).toLowerCase() : undefined,
    rest: text.slice(entity.length).trim(),
  };
}

/** `first_name(username)`, or `first_name` when there is no username. */
export function senderLabel(user: ChatUser | undefined): string {
  if (!user) return "Unknown";
  const name = user.firstName.trim() || "Unknown";
  return user.username ? `${name}(${user.username})` : name;
}

/** The message's own text without a leading command. Empty when there is none. */
export function ownText(message: ChatMessage): string {
  if (!message.text) return "";
  const command = parseCommand(message);
  return command ? command.rest : message.text.trim();
}

/** `Name(username): text`, or "" when the message has no text. */
export function formatLine(message: ChatMessage): string {
  const text = ownText(message);
  return text ? `${senderLabel(message.from)}: ${text}` : "";
}

/**
 * The text given to the agent. With `quoteReply`, the replied-to message comes first the same
 * way, then a blank line. A message whose own text is empty (a bare `/a` replying to someone)
 * gives just the quote.
 */
export function buildAgentText(message: ChatMessage, options: { quoteReply: boolean }): string {
  const own = formatLine(message);
  const quote = options.quoteReply && message.replyTo ? formatLine(message.replyTo) : "";
  if (quote && own) return `${quote}\n\n${own}`;
  return quote || own;
}
