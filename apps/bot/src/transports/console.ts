import { userInfo } from "node:os";
import { createInterface } from "node:readline";
import type { Readable, Writable } from "node:stream";
import type { AgentCallback, BotIdentity } from "../agent-callback";
import type { ChatMessage, ChatUser } from "../message-text";
import type { Channel } from "../send-reply";
import type { Transport } from "./transport";

/** The console's stand-in for the bot's Telegram identity. */
export const CONSOLE_BOT: BotIdentity = { id: 1, username: "console_bot", firstName: "Bot" };

export const CONSOLE_HELP = [
  "How to talk to the bot here:",
  "  your question        starts a new conversation",
  "  >12 your reply       replies to message #12: replying to a bot answer continues that",
  "                       conversation (an older answer starts a new branch from there)",
  "  /help                this help          /quit (or Ctrl+D)   exit",
  "Every message gets an id: the bot's answers are printed as [#12] …",
].join("\n");

/** What an unknown command gets (Telegram would ignore it; here the person is told). */
export function unknownCommandText(command: string, agentCommand: string): string {
  return [
    `There is no ${command} here. Type a question to start a new conversation (no /reset is`,
    `needed), ">id text" to reply to a message, /${agentCommand} before a question if you like,`,
    "/help for the help, /quit to leave.",
  ].join("\n");
}

export interface ConsoleTransportOptions {
  createCallback(identity: BotIdentity): AgentCallback;
  chatId: number;
  /** The agent command a plain line is sent as (the first of BOT_COMMANDS). */
  agentCommand: string;
  input?: Readable;
  output?: Writable;
  /** Printed once at start (model, store, hints). */
  banner?: string;
  /**
   * Added to each shown message id to make the id the store sees; default: the start time in
   * ms x 1000, so no two runs on one chat id (CONSOLE_CHAT_ID) write the same key.
   */
  idBase?: number;
}

function consoleUser(): ChatUser {
  let name = "user";
  try {
    name = userInfo().username || name;
  } catch {}
  return { id: 2, isBot: false, firstName: name };
}

/**
 * The same AgentCallback flow in the terminal: lines from stdin are messages, answers are
 * printed with their message ids, and `>id text` replies to an earlier message. Lines are
 * handled in order; on end of input the pending turns finish before `done` resolves, so it is
 * scriptable (`printf 'hi\n>2 more\n' | pnpm start`).
 */
export function startConsole(options: ConsoleTransportOptions): Transport {
  const input = options.input ?? process.stdin;
  const output = options.output ?? process.stdout;
  const interactive = Boolean((input as { isTTY?: boolean }).isTTY);
  const callback = options.createCallback(CONSOLE_BOT);
  const chatId = options.chatId;
  const user = consoleUser();
  const bot: ChatUser = {
    id: CONSOLE_BOT.id,
    isBot: true,
    firstName: CONSOLE_BOT.firstName,
    username: CONSOLE_BOT.username,
  };
  // Keyed by the id the store sees; people see and type the short one (`id - idBase`).
  const messages = new Map<number, ChatMessage>();
  const idBase = options.idBase ?? Date.now() * 1000;
  let nextId = 1;
  let closed = false;

  const rl = createInterface({ input, output, terminal: interactive });
  const print = (text: string) => {
    output.write(`${text}\n`);
  };
  const prompt = () => {
    if (!interactive || closed) return;
    rl.setPrompt(`[#${nextId}] you> `);
    rl.prompt();
  };

  const channel: Channel = {
    async sendMessage(_chatId, text, sendOptions) {
      const shown = nextId++;
      const id = idBase + shown;
      const message: ChatMessage = {
        messageId: id,
        chatId,
        date: Math.floor(Date.now() / 1000),
        from: bot,
        text,
        replyTo: sendOptions.replyToMessageId
          ? messages.get(sendOptions.replyToMessageId)
          : undefined,
      };
      messages.set(id, message);
      print(`[#${shown}] ${text}`);
      return id;
    },
    async sendTyping() {},
  };

  const handleLine = async (line: string) => {
    const text = line.trim();
    if (!text) return;
    if (text === "/help" || text === "/start") return print(CONSOLE_HELP);
    if (text === "/quit" || text === "/exit") return void rl.close();
    let replyTo: ChatMessage | undefined;
    let body = text;
    const reply = /^>\s*(\d+)\s*([\s\S]*)$/.exec(text);
    if (reply) {
      replyTo = messages.get(idBase + Number(reply[1]));
      if (!replyTo) {
        return print(
          `There is no message #${reply[1]} in this session: use >id with an id shown above.`,
        );
      }
      body = reply[2]!.trim();
      if (!body) return print("Write your reply after the id, e.g. >12 tell me more");
    }
    // Replying to a bot answer is a plain reply, as in Telegram; anything else is sent as the
    // agent command, so the flow (and what the model sees) is the same as in a chat.
    const toBot = replyTo?.from?.id === CONSOLE_BOT.id;
    const isCommand = body.startsWith("/");
    const command = toBot || isCommand ? "" : `/${options.agentCommand} `;
    const full = `${command}${body}`;
    const commandLength = command
      ? command.length - 1
      : isCommand
        ? (/^\/\S+/.exec(full)?.[0].length ?? 0)
        : 0;
    const message: ChatMessage = {
      messageId: idBase + nextId,
      chatId,
      date: Math.floor(Date.now() / 1000),
      from: user,
      text: full,
      entities:
        commandLength > 0 ? [{ type: "bot_command", offset: 0, length: commandLength }] : [],
      replyTo,
    };
    // What a chat would answer with Telegram's words (group help, silence for another
    // command) is answered here in the console's, and uses up no id.
    const decision = callback.decide(message);
    if (decision.action === "help") return print(CONSOLE_HELP);
    if (decision.action === "usage") {
      return print(`Write your question after /${options.agentCommand}, or just type it.`);
    }
    if (decision.action === "ignore") {
      return print(unknownCommandText(full.slice(0, commandLength) || full, options.agentCommand));
    }
    nextId++;
    messages.set(message.messageId, message);
    await callback.handle(message, channel);
  };

  let queue: Promise<void> = Promise.resolve();
  let resolveDone: () => void;
  const done = new Promise<void>((resolve) => {
    resolveDone = resolve;
  });

  rl.on("line", (line) => {
    queue = queue.then(() => handleLine(line)).then(prompt, prompt);
  });
  rl.on("SIGINT", () => rl.close());
  rl.on("close", () => {
    closed = true;
    queue.then(() => resolveDone());
  });

  if (options.banner) print(options.banner);
  prompt();

  return {
    done,
    async stop() {
      rl.close();
      await done;
    },
  };
}
