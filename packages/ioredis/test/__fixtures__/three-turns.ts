import { ReplySession, type SessionStore, silentLogger } from "@agents-memory/core";
import { assistantItem, userItem } from "@agents-memory/core/testing";
import type { AgentInputItem } from "@openai/agents";
import { expect } from "vitest";

/** Budgets that survive a loaded, shared test machine (these tests are about shapes, not speed). */
export const SLOW = 3000;

/** What {@link threeTurns} saw. */
export interface ThreeTurns {
  /** How many items each turn read, then how many a reply to the last answer reads. */
  seen: number[];
  /** What a reply to the last answer reads. */
  last: AgentInputItem[];
}

/**
 * Three ReplySession turns in chat `chatId`, each replying to the answer before it, the answers
 * persisted under `messageIds` (default 11, 12, 13), sessions with the {@link SLOW} budget; each
 * turn asserts its persist was ok (`q<turn>`, `a<turn>`).
 */
export async function threeTurns(
  store: SessionStore,
  chatId: number,
  messageIds: [number, number, number] = [11, 12, 13],
): Promise<ThreeTurns> {
  const session = (replyToMessageId: number | null) =>
    new ReplySession({ timeoutMs: SLOW, store, chatId, replyToMessageId, logger: silentLogger });
  const seen: number[] = [];
  let replyTo: number | null = null;
  for (const [turn, messageId] of messageIds.entries()) {
    const current = session(replyTo);
    seen.push((await current.getItems()).length);
    await current.addItems([userItem(`q${turn}`), assistantItem(`a${turn}`)]);
    expect((await current.persist([messageId])).ok).toBe(true);
    replyTo = messageId;
  }
  const last = await session(replyTo).getItems();
  seen.push(last.length);
  return { seen, last };
}
