/** Figures from the turns: answers, per-chat order, latency percentiles per phase. */

import type { Turn } from "./traffic";

export interface LatencyStats {
  count: number;
  p50: number;
  p99: number;
  max: number;
}

/**
 * The nearest-rank percentile (`p` in 0..100) of `values`: the smallest value with at least
 * p% of the values at or below it. NaN for no values.
 */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1]!;
}

export function latencyStats(values: readonly number[]): LatencyStats {
  return {
    count: values.length,
    p50: percentile(values, 50),
    p99: percentile(values, 99),
    max: values.length === 0 ? Number.NaN : Math.max(...values),
  };
}

/** Answer latency (ms, message queued to answer at Telegram) of the answered turns, per phase
 * in the order the phases first appear. */
export function latencyByPhase(turns: readonly Turn[]): Array<{ phase: string } & LatencyStats> {
  const byPhase = new Map<string, number[]>();
  for (const turn of turns) {
    const values = byPhase.get(turn.phase) ?? [];
    byPhase.set(turn.phase, values);
    if (turn.answeredAt !== undefined) values.push(turn.answeredAt - turn.sentAt);
  }
  return [...byPhase].map(([phase, values]) => ({ phase, ...latencyStats(values) }));
}

export interface AnswerCounts {
  sent: number;
  /** Answered with the model's answer to that very message (its tag echoed back). */
  answered: number;
  /** Never answered. */
  lost: Turn[];
  /** Answered, but not with the model's answer to it (the apology, or another turn's text). */
  wrong: Turn[];
}

export function answerCounts(turns: readonly Turn[]): AnswerCounts {
  const lost = turns.filter((turn) => turn.answer === undefined);
  const wrong = turns.filter((turn) => turn.answer && !turn.answer.text?.includes(turn.tag));
  return { sent: turns.length, answered: turns.length - lost.length - wrong.length, lost, wrong };
}

/**
 * Chats whose answers did not arrive in the order their messages were sent (the bot handles
 * one chat's updates one at a time, in order: @grammyjs/runner's sequentialize by chat id).
 */
export function chatsOutOfOrder(turns: readonly Turn[]): number[] {
  const byChat = new Map<number, Turn[]>();
  for (const turn of turns) byChat.set(turn.chatId, [...(byChat.get(turn.chatId) ?? []), turn]);
  const out: number[] = [];
  for (const [chatId, chatTurns] of byChat) {
    const arrival = chatTurns
      .filter((turn) => turn.answerIndex !== undefined)
      .sort((a, b) => a.seq - b.seq)
      .map((turn) => turn.answerIndex!);
    if (arrival.some((index, i) => i > 0 && index < arrival[i - 1]!)) out.push(chatId);
  }
  return out;
}
