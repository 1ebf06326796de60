import {
  type MemoryLogger,
  type PersistResult,
  ReplySession,
  type SessionStore,
} from "@agents-memory/core";
import type { AgentInputItem } from "@openai/agents";
import { expect } from "vitest";
import type { RecordingLogger } from "./recording-logger";

/** How {@link replyTurns} gets its store for a turn. */
export interface TurnStores {
  /** The store for one turn: the same one each time (warm) or a new one (cold). */
  open(): SessionStore | Promise<SessionStore>;
  /** Called after each turn with the turn's store (a cold run closes it here). */
  release?(store: SessionStore): Promise<void>;
}

/** What one turn cost and did. */
export interface TurnRecord {
  /** Wall time of the turn's read (`load()`), in ms. */
  readMs: number;
  /** Wall time of the turn's write (`persist`), in ms. */
  writeMs: number;
  /** Items the turn's read found. */
  readItems: number;
  persist: PersistResult;
}

/**
 * Runs `turns` turns of one reply-scoped conversation the way the bot does: each turn replies
 * to the bot's previous message, reads its history with a `ReplySession` (every option at its
 * default unless given), stages the user's message and the answer, and persists under the
 * bot's next message id. Resolves with each turn's record; the last key is
 * `bot:<firstMessageId + turns>:<chatId>`.
 */
export async function replyTurns(options: {
  stores: TurnStores;
  chatId: number;
  turns: number;
  /** The bot's first message id; turn i answers with `firstMessageId + i + 1`. Default 1000. */
  firstMessageId?: number;
  logger?: MemoryLogger;
  /** Extra session options (none by default: the defaults are what is tested). */
  session?: { timeoutMs?: number };
}): Promise<TurnRecord[]> {
  const first = options.firstMessageId ?? 1000;
  const records: TurnRecord[] = [];
  for (let turn = 0; turn < options.turns; turn++) {
    const store = await options.stores.open();
    try {
      const session = new ReplySession({
        store,
        chatId: options.chatId,
        replyToMessageId: turn === 0 ? null : first + turn,
        ...(options.logger ? { logger: options.logger } : {}),
        ...options.session,
      });
      let started = performance.now();
      const readItems = await session.load();
      const readMs = performance.now() - started;
      await session.addItems(turnItems(turn));
      started = performance.now();
      const persist = await session.persist(first + turn + 1);
      records.push({ readMs, writeMs: performance.now() - started, readItems, persist });
    } finally {
      await options.stores.release?.(store);
    }
  }
  return records;
}

/**
 * Asserts what {@link replyTurns} with every session option at its default (first message id
 * 1000) must give: every turn stored, nothing warned or logged as an error on `logger` (the
 * run's logger), each turn reading every item before it up to the default window of 50, and the
 * last answer's key holding the newest 50 items of all turns, read through `reader` (a store
 * straight to Redis, apart from the one under test).
 */
export async function expectEveryTurnKept(options: {
  records: TurnRecord[];
  logger: RecordingLogger;
  reader: SessionStore;
  chatId: number;
}): Promise<void> {
  const { records, logger, reader, chatId } = options;
  const turns = records.length;
  expect(records.map((record) => record.persist.outcome)).toEqual(Array(turns).fill("stored"));
  expect([...logger.warnings, ...logger.errors]).toEqual([]);
  expect(records.map((record) => record.readItems)).toEqual(
    Array.from({ length: turns }, (_, turn) => Math.min(2 * turn, 50)),
  );
  expect(await reader.read(`bot:${1000 + turns}:${chatId}`)).toEqual(
    Array.from({ length: turns }, (_, turn) => turnItems(turn))
      .flat()
      .slice(-50),
  );
}

/** The user's message and the answer of turn `turn`. */
export function turnItems(turn: number): AgentInputItem[] {
  return [
    { role: "user", content: `question ${turn}` } as AgentInputItem,
    {
      role: "assistant",
      status: "completed",
      content: [{ type: "output_text", text: `answer ${turn}` }],
    } as AgentInputItem,
  ];
}
