/**
 * The users: `chats` private chats, each sending `turnsPerChat` messages spread evenly over the
 * traffic time, at most `window` of them unanswered at once. The first message is `/a …`; each
 * later one replies to the newest answer the chat has received, so conversations continue (and
 * fork, when two are in flight). Answers are read off the Telegram server's record of the
 * bot's sendMessage calls, timed by their arrival there.
 */

import type { Message, TelegramServer } from "@agents-memory/test-servers/telegram";
import type { PhaseName } from "./faults";
import type { SoakPlan } from "./plan";

export interface Turn {
  chatId: number;
  /** 0-based position in its chat's sending order. */
  seq: number;
  /** A tag unique to the turn; the model's echo carries it into the answer. */
  tag: string;
  messageId: number;
  /** Date.now() when the message was queued for the bot. */
  sentAt: number;
  phase: PhaseName;
  /** Date.now() when the bot's reply to it reached Telegram; undefined: never answered. */
  answeredAt?: number;
  /** The answer's first message. */
  answer?: Message;
  /** Position of the answer among every answer of the run (arrival order). */
  answerIndex?: number;
}

const FIRST_CHAT_ID = 70_000;

export interface TrafficOptions {
  tg: TelegramServer;
  plan: SoakPlan;
  startedAt: number;
  /** The phase a turn sent now belongs to. */
  phase(): PhaseName;
  /** Nothing is sent after this Date.now(), and nothing is waited for after `hardDeadline`. */
  hardDeadline: number;
  /** Where each turn is recorded as it is sent (others read it while the run goes on). */
  turns: Turn[];
  /**
   * While this returns true, chats keep sending past `turnsPerChat`, at the same pace (the
   * rolling run sends until its restarts are over). Default: never.
   */
  extendWhile?: () => boolean;
}

/** Sends every turn on schedule and resolves once each is answered or given up on. */
export async function runTraffic(options: TrafficOptions): Promise<void> {
  const { tg, plan, startedAt } = options;
  const interval = plan.trafficMs / plan.turnsPerChat;
  const chats = Array.from({ length: plan.chats }, (_, index) => ({
    id: FIRST_CHAT_ID + index,
    /** When this chat's turns start, so the chats do not all send in the same tick. */
    offsetMs: (index / plan.chats) * interval,
    sent: 0,
    inFlight: 0,
    newestAnswer: undefined as Message | undefined,
  }));
  const { turns } = options;
  const pending = new Map<string, Turn>();
  let cursor = 0;
  let answers = 0;
  let lastSentAt = startedAt;

  const collectAnswers = () => {
    for (; cursor < tg.calls.length; cursor++) {
      const call = tg.calls[cursor]!;
      if (call.method !== "sendMessage") continue;
      if (!call.response) return; // being answered; look again next tick
      if (!call.response.ok) continue;
      const message = call.response.result as Message;
      const replyTo = message.reply_to_message?.message_id;
      const turn = pending.get(`${message.chat.id}:${replyTo}`);
      if (!turn) continue;
      pending.delete(`${message.chat.id}:${replyTo}`);
      turn.answeredAt = call.at;
      turn.answer = message;
      turn.answerIndex = answers++;
      const chat = chats[turn.chatId - FIRST_CHAT_ID]!;
      chat.inFlight--;
      chat.newestAnswer = message;
    }
  };

  const send = (chat: (typeof chats)[number]) => {
    const seq = chat.sent++;
    const tag = `c${chat.id}t${seq}`;
    const message = tg.sendUserMessage({
      chatId: chat.id,
      from: { id: chat.id, first_name: `User${chat.id}` },
      ...(chat.newestAnswer
        ? { text: `${tag} go on`, replyTo: chat.newestAnswer }
        : { text: `/a ${tag} hello` }),
    });
    const turn: Turn = {
      chatId: chat.id,
      seq,
      tag,
      messageId: message.message_id,
      sentAt: Date.now(),
      phase: options.phase(),
    };
    turns.push(turn);
    pending.set(`${chat.id}:${message.message_id}`, turn);
    chat.inFlight++;
    lastSentAt = turn.sentAt;
  };

  const total = plan.chats * plan.turnsPerChat;
  for (;;) {
    collectAnswers();
    const now = Date.now();
    const extended = options.extendWhile?.() ?? false;
    if (now < options.hardDeadline) {
      for (const chat of chats) {
        const due = startedAt + chat.offsetMs + chat.sent * interval;
        const more = chat.sent < plan.turnsPerChat || extended;
        if (more && chat.inFlight < plan.window && now >= due) send(chat);
      }
    }
    const allSent = (turns.length >= total && !extended) || now >= options.hardDeadline;
    if (allSent && pending.size === 0) break;
    if (allSent && now > lastSentAt + plan.answerTimeoutMs) break;
    if (now > options.hardDeadline + plan.answerTimeoutMs) break;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
