import type { Conversation } from "../content";

export type RowId =
  | "agents-memory"
  | "legacy"
  | "ceiling"
  | "langchain"
  | "upstash"
  | "ceiling-parsed"
  | "agents-memory-copy";

/** One history window / item size / concurrency combination. */
export interface Cell {
  window: number;
  itemBytes: number;
  concurrency: number;
}

/** What every row's turn works with in one cell. */
export interface CellPlan {
  window: number;
  ttlSeconds: number;
  conversation: Conversation;
}

/**
 * One chat: turn `turn` replies to message `replyTo(turn)` and writes the history under the
 * bot's new reply, message `reply(turn)`.
 */
export interface Chat {
  chatId: number;
  /** The message a turn replies to. */
  replyTo(turn: number): number;
  /** The bot's reply a turn writes under. */
  reply(turn: number): number;
}

/** Counters a row reads from a server other than Redis (the local Upstash-protocol server). */
export interface HttpCounters {
  requests: number;
  bytesIn: number;
  bytesOut: number;
}

/** A row opened for one cell. */
export interface RowCell {
  /**
   * How many reply keys a timed chat cycles through (default 2: a turn overwrites the key
   * written two turns before). A chained layout needs more: a key must not be overwritten
   * while the newest window still reads from it.
   */
  ringKeys?: number;
  /** Writes the history turn 0 reads (`window` items) under `replyTo(0)`, in the row's layout. */
  seed(chat: Chat): Promise<void>;
  /** One turn: read the history of `replyTo(turn)`, write `trim(history + 2 new)` under `reply(turn)`. */
  turn(chat: Chat, turn: number): Promise<void>;
  /** The stored history under `reply(turn)` as item texts, oldest first (a correctness check). */
  storedTexts(chat: Chat, turn: number): Promise<string[]>;
  /** Requests and bytes the row's HTTP server counted so far, for rows that go through one. */
  http?(): HttpCounters;
  close(): Promise<void>;
}

export interface Row {
  id: RowId;
  title: string;
  /** Shown beside the figures: what the row's numbers mean. */
  note?: string;
  open(plan: CellPlan): Promise<RowCell>;
  /** Releases what the row holds across cells (servers, clients). */
  close(): Promise<void>;
}

export class RowUnavailable extends Error {}

/** The key every row writes a message's history under: the bot's key format. */
export function messageKey(messageId: number, chatId: number): string {
  return `bot:${messageId}:${chatId}`;
}
