/**
 * Ghost writes: turns the bot logged as "history not stored" whose key is in Redis afterwards.
 *
 * The bot logs each answered turn once (apps/bot/src/agent-callback.ts): `"answered"` with
 * `stored: true`, or `"answered; history not stored"` with `stored: false`, with `chat_id`,
 * `message_id` and the `keys` written. A turn whose logs say its outcome is unknown ("may still
 * land", "outcome unknown", on the answered line or on a store line naming its key) is no
 * ghost, whatever Redis holds: the bot did not claim the write failed.
 *
 * Keys are read straight from Redis at checkpoints (before the kill empties it, after the
 * restart, at the end), every time for every turn reported not stored, so a write that lands
 * late, or is replayed after a reconnect, is caught too.
 */

import type { LogLine } from "./bot-process";
import type { Turn } from "./traffic";

export type Outcome = "stored" | "not stored" | "unknown" | "no log line";

export interface TurnOutcome {
  outcome: Outcome;
  /** The answered line's message, as the bot wrote it. */
  msg?: string;
  keys: string[];
  /** When the bot logged it (pino's `time`, ms since the epoch). */
  loggedAt?: number;
}

const UNKNOWN_OUTCOME = /may still land|outcome (is )?unknown|unknown outcome/i;

const turnId = (chatId: unknown, messageId: unknown) => `${chatId}:${messageId}`;

/** Reads the bot's log lines (incrementally: call `update()` as lines arrive). */
export class OutcomeLog {
  readonly #logs: readonly LogLine[];
  #cursor = 0;
  readonly #answered = new Map<string, LogLine>();
  /** Turn ids and keys some line said may still land. */
  readonly #uncertain = new Set<string>();

  constructor(logs: readonly LogLine[]) {
    this.#logs = logs;
  }

  update(): void {
    for (; this.#cursor < this.#logs.length; this.#cursor++) {
      const line = this.#logs[this.#cursor]!;
      const id = turnId(line.chat_id, line.message_id);
      if (typeof line.msg === "string" && line.msg.startsWith("answered")) {
        this.#answered.set(id, line);
      }
      if (UNKNOWN_OUTCOME.test(JSON.stringify(line))) {
        this.#uncertain.add(id);
        for (const key of lineKeys(line)) this.#uncertain.add(key);
      }
    }
  }

  outcome(turn: Turn): TurnOutcome {
    const id = turnId(turn.chatId, turn.messageId);
    const line = this.#answered.get(id);
    if (!line) return { outcome: "no log line", keys: [] };
    const keys = lineKeys(line);
    const uncertain = this.#uncertain.has(id) || keys.some((key) => this.#uncertain.has(key));
    const outcome: Outcome =
      line.stored === true
        ? "stored"
        : line.stored === false && !uncertain
          ? "not stored"
          : "unknown";
    return { outcome, msg: line.msg, keys, loggedAt: line.time };
  }

  /** How many answered lines carried each message text. */
  messageCounts(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const line of this.#answered.values())
      counts.set(line.msg, (counts.get(line.msg) ?? 0) + 1);
    return counts;
  }
}

function lineKeys(line: LogLine): string[] {
  const keys = Array.isArray(line.keys) ? line.keys.filter((k) => typeof k === "string") : [];
  if (typeof line.key === "string") keys.push(line.key);
  return keys;
}

export interface Ghost {
  turn: Turn;
  key: string;
  msg: string;
  /** The checkpoint that found the key. */
  foundAt: string;
}

export interface GhostReport {
  ghosts: Ghost[];
  /** Turns logged as stored whose key was missing at the next check with no kill in between. */
  storedMissing: Turn[];
  /** Turns logged as stored whose key a kill may have emptied before any check saw it. */
  storedUncheckedBeforeKill: number;
  /** Turns logged as stored whose key a check saw. */
  storedSeen: number;
  checkpoints: Array<{ name: string; notStoredChecked: number; ghostsFound: number }>;
}

/** Whether each key exists now; may throw while the store is down (the check retries). */
export type KeyReader = (keys: string[]) => Promise<boolean[]>;

export class GhostCheck {
  readonly #turns: readonly Turn[];
  readonly #log: OutcomeLog;
  readonly #exists: KeyReader;
  readonly #wipes: number[] = [];
  readonly #verified = new Set<Turn>();
  readonly #ghosts = new Map<Turn, Ghost>();
  readonly #report: GhostReport = {
    ghosts: [],
    storedMissing: [],
    storedUncheckedBeforeKill: 0,
    storedSeen: 0,
    checkpoints: [],
  };

  constructor(turns: readonly Turn[], log: OutcomeLog, exists: KeyReader) {
    this.#turns = turns;
    this.#log = log;
    this.#exists = exists;
  }

  /** The store just lost its keys (a kill without persistence). */
  wiped(at = Date.now()): void {
    this.#wipes.push(at);
  }

  /** Reads, from Redis, the key of every turn logged so far as not stored, or newly as stored. */
  async checkpoint(name: string, retryForMs = 10_000): Promise<void> {
    const at = Date.now();
    this.#log.update();
    const notStored: Array<{ turn: Turn; key: string; msg: string }> = [];
    const newlyStored: Array<{ turn: Turn; key: string; loggedAt: number }> = [];
    for (const turn of this.#turns) {
      const o = this.#log.outcome(turn);
      if (o.loggedAt === undefined || o.loggedAt > at) continue;
      if (o.outcome === "not stored") {
        for (const key of o.keys) notStored.push({ turn, key, msg: o.msg! });
      } else if (o.outcome === "stored" && !this.#verified.has(turn)) {
        this.#verified.add(turn);
        newlyStored.push({ turn, key: o.keys[0]!, loggedAt: o.loggedAt });
      }
    }
    const present = await this.#read(
      name,
      [...notStored.map((n) => n.key), ...newlyStored.map((s) => s.key)],
      retryForMs,
    );
    let ghostsFound = 0;
    notStored.forEach(({ turn, key, msg }, index) => {
      if (!present[index] || this.#ghosts.has(turn)) return;
      ghostsFound++;
      this.#ghosts.set(turn, { turn, key, msg, foundAt: name });
    });
    newlyStored.forEach(({ turn, loggedAt }, index) => {
      if (present[notStored.length + index]) this.#report.storedSeen++;
      else if (this.#wipes.some((wipe) => wipe >= loggedAt)) {
        this.#report.storedUncheckedBeforeKill++;
      } else this.#report.storedMissing.push(turn);
    });
    this.#report.checkpoints.push({ name, notStoredChecked: notStored.length, ghostsFound });
  }

  report(): GhostReport {
    return { ...this.#report, ghosts: [...this.#ghosts.values()] };
  }

  async #read(name: string, keys: string[], retryForMs: number): Promise<boolean[]> {
    const deadline = Date.now() + retryForMs;
    for (;;) {
      try {
        return await this.#exists(keys);
      } catch (error) {
        if (Date.now() > deadline) {
          throw new Error(
            `the ghost-write check "${name}" could not read Redis for ${retryForMs} ms`,
            {
              cause: error,
            },
          );
        }
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
  }
}
