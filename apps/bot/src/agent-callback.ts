import {
  emptyUsage,
  type PersistResult,
  ReplySession,
  type SdkUsage,
  type SessionStore,
} from "@agents-memory/core";
import type { AgentRuntime } from "./agent";
import type { Config } from "./config";
import { type BotIdentity, type Decision, decide, helpText, NO_TEXT_REPLY } from "./decide";
import { DraftStream } from "./draft-stream";
import type { SummaryRecord, TurnRecord } from "./health/turn-record";
import type { Logger } from "./logger";
import { buildAgentText, type ChatMessage } from "./message-text";
import { rejectedInputIndex, rejectsInputItem } from "./rejects-input-item";
import { type Channel, SendReplyError, sendReply } from "./send-reply";
import {
  budgetSpentText,
  recordUserUsage,
  spentTokens,
  usageText,
  userUsageToday,
} from "./usage-budget";

/** How often "typing…" is refreshed while the agent works (Telegram shows it ~5 s). */
const TYPING_INTERVAL_MS = 4_000;

export type { BotIdentity, Decision } from "./decide";
export { NO_TEXT_REPLY } from "./decide";

export interface AgentCallbackOptions {
  config: Pick<Config, "bot" | "memory">;
  store: SessionStore;
  agent: AgentRuntime;
  logger: Logger;
  identity: BotIdentity;
  /** Told about every agent turn once it is over (the stats line, `/healthz`). */
  stats?:
    | { record(turn: TurnRecord): void; recordSummary?(summary: SummaryRecord): void }
    | undefined;
}

export interface TurnMeta {
  /** Telegram's update id, for the logs. */
  updateId?: number | undefined;
  /**
   * Called once the user can see the turn's answer (or its apology), before the history is
   * written: the update's claim is marked done there.
   */
  answerOut?: (() => void) | undefined;
}

/**
 * The AgentCallback flow, independent of the transport: decide whether a message runs the
 * agent, build its text, run the agent with the replied-to branch's memory, send the answer as
 * a reply, and store the new history under every message of the answer (or the apology).
 */
export class AgentCallback {
  readonly #options: AgentCallbackOptions;
  readonly #commands: Set<string>;
  readonly #whitelist: Set<number>;

  constructor(options: AgentCallbackOptions) {
    this.#options = options;
    this.#commands = new Set(options.config.bot.commands);
    this.#whitelist = new Set(options.config.bot.whitelist);
  }

  get identity(): BotIdentity {
    return this.#options.identity;
  }

  helpText(): string {
    return helpText(this.#commands, this.#options.identity.username);
  }

  decide(message: ChatMessage): Decision {
    return decide(message, {
      commands: this.#commands,
      whitelist: this.#whitelist,
      identity: this.#options.identity,
    });
  }

  async handle(message: ChatMessage, channel: Channel, meta: TurnMeta = {}): Promise<void> {
    const log = this.#options.logger.child({
      update_id: meta.updateId,
      chat_id: message.chatId,
      message_id: message.messageId,
    });
    const decision = this.decide(message);
    try {
      switch (decision.action) {
        case "ignore":
          log.debug({ reason: decision.reason }, "message ignored");
          return;
        case "help":
          await channel.sendMessage(message.chatId, this.helpText(), {
            replyToMessageId: message.messageId,
          });
          return;
        case "usage":
          await channel.sendMessage(message.chatId, this.helpText(), {
            replyToMessageId: message.messageId,
          });
          return;
        case "usage-report":
          await this.#reportUsage(message, channel);
          return;
        case "no-text":
          await channel.sendMessage(message.chatId, NO_TEXT_REPLY, {
            replyToMessageId: message.messageId,
          });
          return;
        case "run":
          await this.#run(message, decision.parentMessageId, channel, log, meta.answerOut);
          return;
      }
    } catch (error) {
      log.error({ err: error }, "failed to answer");
    }
  }

  /** /usage: the chat's usage, and the user's today (against the daily budget when set). */
  async #reportUsage(message: ChatMessage, channel: Channel): Promise<void> {
    const { config, store } = this.#options;
    const session = this.#session(message.chatId, null, this.#options.logger);
    const chat = await session.getUsage();
    const userId = message.from?.id;
    const today =
      userId === undefined
        ? emptyUsage()
        : await userUsageToday(store, config.memory.keyPrefix, userId);
    await channel.sendMessage(
      message.chatId,
      usageText(chat, today, config.memory.dailyTokenBudget),
      { replyToMessageId: message.messageId },
    );
  }

  /** True when the user's daily budget is set and spent (and says so in the chat). */
  async #budgetSpent(message: ChatMessage, channel: Channel, log: Logger): Promise<boolean> {
    const { config, store } = this.#options;
    const budget = config.memory.dailyTokenBudget;
    const userId = message.from?.id;
    if (budget === undefined || userId === undefined) return false;
    let spent: number;
    try {
      spent = spentTokens(await userUsageToday(store, config.memory.keyPrefix, userId));
    } catch (error) {
      // The budget cannot be read: answer (no fallback store, as for memory), and say so.
      log.warn({ err: error, user_id: userId }, "daily token budget not checked: the store failed");
      return false;
    }
    if (spent < budget) return false;
    log.info({ user_id: userId, spent, budget }, "daily token budget spent; not answered");
    await channel.sendMessage(message.chatId, budgetSpentText(spent, budget), {
      replyToMessageId: message.messageId,
    });
    return true;
  }

  async #run(
    message: ChatMessage,
    parentMessageId: number | null,
    channel: Channel,
    log: Logger,
    answerOut: (() => void) | undefined,
  ): Promise<void> {
    const { config, agent } = this.#options;
    if (await this.#budgetSpent(message, channel, log)) return;
    let usage: SdkUsage | undefined;
    const started = Date.now();
    const stopTyping = keepTyping(channel, message.chatId, log);
    let sentIds: number[] = [];
    let apologyId: number | undefined;
    /** The text the agent was last run on (the retry without history has its own). */
    let input: string | undefined;
    let session: ReplySession | undefined;
    let drafts: DraftStream | undefined;
    let answered = false;
    let answerMs = 0;
    let readMs: number | undefined;
    if (parentMessageId !== null && !isMessageId(parentMessageId)) {
      // No key can be built from it (Telegram's message ids are positive integers): answer
      // as a new conversation rather than fail the turn.
      log.warn(
        { reply_to_message_id: parentMessageId },
        "the replied-to message id is not a valid message id; answering without history",
      );
      parentMessageId = null;
    }
    try {
      session = this.#session(message.chatId, parentMessageId, log, message.replyTo?.date);
      // The replied-to message is quoted unless it is this bot's answer and its history (which
      // already holds it) was found; after expiry or a store failure the quote gives context.
      // load() counts the history without taking the parsed items, so the runner's getItems()
      // does not parse it a second time.
      const readStarted = performance.now();
      const historyItems = parentMessageId === null ? 0 : await session.load();
      if (parentMessageId !== null) readMs = performance.now() - readStarted;
      input = buildAgentText(message, {
        quoteReply: parentMessageId === null || historyItems === 0,
      });
      log.info({ parent_key: session.parentKey, history_items: historyItems }, "running the agent");
      drafts = this.#drafts(message, channel, log);
      const runOptions = {
        onText: drafts ? (text: string) => drafts!.update(text) : undefined,
        onUsage: (used: SdkUsage) => {
          usage = used;
        },
      };
      let output: string;
      try {
        output = await agent.run(input, session, runOptions);
      } catch (error) {
        if (historyItems === 0 || !rejectsInputItem(error)) throw error;
        // The history goes first in the input: an index past it names this turn's own items.
        const index = rejectedInputIndex(error);
        if (index !== undefined && index >= historyItems) throw error;
        // A history item the model will never accept would fail every reply to this branch
        // until its TTL runs out: answer once more as a new conversation, quoting the message.
        log.warn(
          { parent_key: session.parentKey, history_items: historyItems, err: error },
          "the model rejected an item of the branch's history; answering once more without it",
        );
        session = this.#session(message.chatId, null, log);
        input = buildAgentText(message, { quoteReply: true });
        output = await agent.run(input, session, runOptions);
      }
      // No draft after this point: the final message replaces it.
      await drafts?.stop();
      const answer = output.trim() || "(no answer)";
      sentIds = await sendReply(channel, answer, {
        chatId: message.chatId,
        replyToMessageId: message.messageId,
        parseMode: config.bot.parseMode,
        logger: log,
      });
      answered = true;
      answerMs = Date.now() - started;
    } catch (error) {
      // What was streamed is not the answer: the apology replaces the draft.
      await drafts?.stop();
      if (error instanceof SendReplyError) sentIds = error.sentMessageIds;
      log.error({ err: error }, "turn failed");
      // Part of a split answer went out: say, under its last part, that the rest is missing.
      apologyId = await this.#apologise(message, channel, log, sentIds.at(-1) ?? message.messageId);
    } finally {
      stopTyping();
    }
    answerOut?.();
    const read = session?.readOutcome;
    const apologyOnly = sentIds.length === 0 && apologyId !== undefined;
    if (session && apologyOnly && input !== undefined) {
      session = await this.#apologySession(message, session, parentMessageId, input, log);
    }
    // The apology carries the turn's history as an answer does: a reply to it continues.
    const carriers = apologyId === undefined ? sentIds : [...sentIds, apologyId];
    let history: PersistResult["outcome"] | undefined;
    let writeMs: number | undefined;
    if (session && carriers.length > 0) {
      const writeStarted = performance.now();
      const persisted = await session.persist(carriers);
      writeMs = performance.now() - writeStarted;
      history = persisted.outcome;
      // Runs in the background (a failure is logged by the session, with its cause).
      session
        .flushSummary()
        .then((outcome) => {
          if (!outcome) return;
          this.#options.stats?.recordSummary?.({ at: Date.now(), status: outcome.status });
          if (outcome.status === "summarized") {
            log.info({ keys: persisted.keys, items: outcome.items }, "history summarised");
          }
        })
        // Nothing here may become an unhandled rejection (it would end the process).
        .catch((error: unknown) => log.warn({ err: error }, "summary not counted"));
      const sent = apologyOnly ? "apologised" : "answered";
      log.info(
        {
          sent_message_ids: sentIds,
          apology_message_id: apologyId,
          keys: persisted.keys,
          stored: persisted.ok,
          outcome: persisted.outcome,
          items: persisted.itemCount,
          ms: Date.now() - started,
        },
        persisted.outcome === "stored"
          ? sent
          : persisted.outcome === "unknown"
            ? `${sent}; history may have been stored (the store did not answer in time; it cannot land later)`
            : `${sent}; history not stored`,
      );
    }
    // Counted with the answered line, before the usage write: a reader of /healthz who saw the
    // line sees the turn.
    this.#options.stats?.record({
      at: Date.now(),
      answered,
      answerMs,
      history,
      read,
      readMs,
      writeMs,
    });
    if (session && usage) await this.#recordUsage(session, message, usage, log);
  }

  /** Adds the turn's usage to the chat's and the user's day (failures logged, never thrown). */
  async #recordUsage(
    session: ReplySession,
    message: ChatMessage,
    usage: SdkUsage,
    log: Logger,
  ): Promise<void> {
    const { config, store } = this.#options;
    try {
      await session.recordUsage(usage);
      const userId = message.from?.id;
      if (userId !== undefined)
        await recordUserUsage(store, config.memory.keyPrefix, userId, usage);
      log.debug({ user_id: userId }, "usage recorded");
    } catch (error) {
      log.warn({ err: error }, "usage not recorded");
    }
  }

  /** Where the channel takes drafts (a private chat on Telegram), the answer streams. */
  #drafts(message: ChatMessage, channel: Channel, log: Logger): DraftStream | undefined {
    const { sendDraft } = channel;
    if (!sendDraft) return undefined;
    return new DraftStream({
      // The user's message id: one draft per answer, never 0.
      send: (text, parseMode, signal) =>
        sendDraft.call(channel, message.chatId, message.messageId, text, { parseMode }, signal),
      parseMode: this.#options.config.bot.parseMode,
      logger: log,
    });
  }

  /** `parentDate`: the replied-to message's date (unix seconds), so a lost history is told apart. */
  #session(
    chatId: number,
    parentMessageId: number | null,
    log: Logger,
    parentDate?: number,
  ): ReplySession {
    const { config, store } = this.#options;
    return new ReplySession({
      store,
      chatId,
      replyToMessageId: parentMessageId,
      replyToMessageDate: parentMessageId === null ? null : parentDate,
      maxItems: config.memory.maxItems,
      ...(config.memory.maxTokens === undefined ? {} : { maxTokens: config.memory.maxTokens }),
      ...(this.#options.agent.summary ? { summary: this.#options.agent.summary } : {}),
      ttlSeconds: config.memory.ttlSeconds,
      keyPrefix: config.memory.keyPrefix,
      timeoutMs: config.memory.timeoutMs,
      logger: log.child({ component: "memory" }),
    });
  }

  /**
   * The history the apology carries when none of the answer went out: the conversation the
   * turn was in (`turn`'s parent, read again; after the retry without history, none) and the
   * user's message, so a reply to the apology ("try again") retries the turn where it was.
   * Built anew, as the runner may have staged some of the failed turn, or nothing.
   */
  async #apologySession(
    message: ChatMessage,
    turn: ReplySession,
    parentMessageId: number | null,
    input: string,
    log: Logger,
  ): Promise<ReplySession> {
    const parent = turn.parentKey === null ? null : parentMessageId;
    // No date: a lost history was reported by the turn's read, once.
    const session = this.#session(message.chatId, parent, log);
    // Read here, so the turn's write time is the write's.
    if (parent !== null) await session.load();
    await session.addItems([{ type: "message", role: "user", content: input }]);
    return session;
  }

  /** Sends `BOT_ERROR_TEXT`; resolves with its message id, or undefined when it failed (logged). */
  async #apologise(
    message: ChatMessage,
    channel: Channel,
    log: Logger,
    replyToMessageId: number,
  ): Promise<number | undefined> {
    try {
      return await channel.sendMessage(message.chatId, this.#options.config.bot.errorText, {
        replyToMessageId,
      });
    } catch (error) {
      log.error({ err: error }, "could not send the apology either");
      return undefined;
    }
  }
}

/** Sends "typing…" now and every few seconds until the returned function is called. */
function keepTyping(channel: Channel, chatId: number, log: Logger): () => void {
  let stopped = false;
  const tick = () => {
    if (stopped) return;
    channel.sendTyping(chatId).catch((error) => {
      log.debug({ err: error }, "typing indicator failed");
    });
  };
  tick();
  const timer = setInterval(tick, TYPING_INTERVAL_MS);
  return () => {
    stopped = true;
    clearInterval(timer);
  };
}

/** A Telegram message id a history key can be built from: a positive safe integer. */
function isMessageId(value: unknown): value is number {
  return typeof value === "number" && Number.isSafeInteger(value) && value > 0;
}
