/**
 * Ghost writes: histories that reached Redis although the bot said they did not, or after it
 * had given up on them.
 *
 * The bot logs each answered turn once (apps/bot/src/agent-callback.ts), with `chat_id`,
 * `message_id` and the `keys` written: `"answered"` (`stored: true`), `"answered; history not
 * stored"` (`stored: false`), or `"answered; history may have been stored (…)"` (`outcome:
 * "unknown"`). A turn whose logs say the outcome is unknown (a line with `outcome: "unknown"`,
 * or whose message says the write "may still land" / "may have been applied", on the answered
 * line or on a store line naming its key) claims less: the write may have been applied before
 * its deadline, never after. So:
 *
 * - logged as not stored, and its key is in Redis: a ghost write;
 * - outcome unknown, and its key was written after the bot's first line saying so (which comes
 *   at or after the deadline): a ghost write; written before: no claim was broken.
 *
 * When a key was written is what Redis's MONITOR saw (its last data write, on the server's
 * clock, which is this machine's: backend.ts, write-log.ts); for a write MONITOR missed (its
 * connection down during a kill), the earliest it can have been, from its TTL (the bot runs with
 * a known `CACHE_TTL_SECONDS`: written at >= now + PTTL - TTL), so a write is only called late
 * when it certainly was. (The TTL alone misleads on the chained layout: a reply's fork raises
 * its ancestors' TTLs.)
 *
 * Keys are read straight from Redis at checkpoints (before the kill empties it, after the
 * restart, at the end), every time for every turn not stored or unknown, so a write that lands
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
  /** When the bot logged the answered line (pino's `time`, ms since the epoch). */
  loggedAt?: number;
  /** For an unknown outcome: when the bot first said so (ms since the epoch). */
  gaveUpAt?: number;
}

const UNKNOWN_TEXT = /may still land|may have been applied|outcome (is )?unknown/i;

const turnId = (chatId: unknown, messageId: unknown) => `${chatId}:${messageId}`;

const saysUnknown = (line: LogLine) =>
  line.outcome === "unknown" ||
  line.stored === "unknown" ||
  (typeof line.msg === "string" && UNKNOWN_TEXT.test(line.msg));

/** Reads the bot's log lines (incrementally: call `update()` as lines arrive). */
export class OutcomeLog {
  readonly #logs: readonly LogLine[];
  #cursor = 0;
  readonly #answered = new Map<string, LogLine>();
  /** Turn ids and keys a line called unknown, with the earliest such line's time. */
  readonly #unknownSince = new Map<string, number>();

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
      if (saysUnknown(line)) {
        for (const name of [id, ...lineKeys(line)]) {
          if (!this.#unknownSince.has(name)) this.#unknownSince.set(name, line.time);
        }
      }
    }
  }

  outcome(turn: Turn): TurnOutcome {
    const id = turnId(turn.chatId, turn.messageId);
    const line = this.#answered.get(id);
    if (!line) return { outcome: "no log line", keys: [] };
    const keys = lineKeys(line);
    const base = { msg: line.msg, keys, loggedAt: line.time };
    if (line.stored === true) return { outcome: "stored", ...base };
    const since = [id, ...keys]
      .map((name) => this.#unknownSince.get(name))
      .filter((time) => time !== undefined);
    if (since.length > 0) return { outcome: "unknown", ...base, gaveUpAt: Math.min(...since) };
    if (line.stored === false) return { outcome: "not stored", ...base };
    // A shape this check does not know: the latest moment the bot can have given up.
    return { outcome: "unknown", ...base, gaveUpAt: line.time };
  }

  /** How many answered lines carried each message text. */
  messageCounts(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const line of this.#answered.values()) {
      counts.set(line.msg, (counts.get(line.msg) ?? 0) + 1);
    }
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
  /** Why it is one. */
  kind: "logged as not stored" | "written after the bot gave up";
  /** The checkpoint that found the key. */
  foundAt: string;
}

export interface GhostReport {
  ghosts: Ghost[];
  /** Turns with an unknown outcome whose key was written before the bot gave up (no ghost). */
  unknownLandedInTime: number;
  /** Turns logged as stored whose key was missing at the next check with no kill in between. */
  storedMissing: Turn[];
  /** Turns logged as stored whose key a kill may have emptied before any check saw it. */
  storedUncheckedBeforeKill: number;
  /** Turns logged as stored whose key a check saw. */
  storedSeen: number;
  checkpoints: Array<{ name: string; checked: number; ghostsFound: number }>;
}

/**
 * For each key, when it was written at the earliest (ms since the epoch; NaN for a key without
 * a TTL), or undefined when it does not exist. May throw while the store is down (the check
 * retries).
 */
export type KeyReader = (keys: string[]) => Promise<Array<number | undefined>>;

export class GhostCheck {
  readonly #turns: readonly Turn[];
  readonly #log: OutcomeLog;
  readonly #read: KeyReader;
  readonly #wipes: number[] = [];
  readonly #verified = new Set<Turn>();
  readonly #ghosts = new Map<Turn, Ghost>();
  readonly #landedInTime = new Set<Turn>();
  readonly #report: Omit<GhostReport, "ghosts" | "unknownLandedInTime"> = {
    storedMissing: [],
    storedUncheckedBeforeKill: 0,
    storedSeen: 0,
    checkpoints: [],
  };

  constructor(turns: readonly Turn[], log: OutcomeLog, read: KeyReader) {
    this.#turns = turns;
    this.#log = log;
    this.#read = read;
  }

  /** The store just lost its keys (a kill without persistence). */
  wiped(at = Date.now()): void {
    this.#wipes.push(at);
  }

  /** Reads, from Redis, the key of every turn not stored or unknown so far, and of every
   * turn newly logged as stored. */
  async checkpoint(name: string, retryForMs = 10_000): Promise<void> {
    const at = Date.now();
    this.#log.update();
    const doubtful: Array<{ turn: Turn; key: string; o: TurnOutcome }> = [];
    const newlyStored: Array<{ turn: Turn; key: string; loggedAt: number }> = [];
    for (const turn of this.#turns) {
      const o = this.#log.outcome(turn);
      if (o.loggedAt === undefined || o.loggedAt > at) continue;
      if (o.outcome === "not stored" || o.outcome === "unknown") {
        for (const key of o.keys) doubtful.push({ turn, key, o });
      } else if (o.outcome === "stored" && o.keys[0] && !this.#verified.has(turn)) {
        this.#verified.add(turn);
        newlyStored.push({ turn, key: o.keys[0], loggedAt: o.loggedAt });
      }
    }
    const writtenAt = await this.#readWithRetry(
      name,
      [...doubtful.map((d) => d.key), ...newlyStored.map((s) => s.key)],
      retryForMs,
    );
    let ghostsFound = 0;
    doubtful.forEach(({ turn, key, o }, index) => {
      const written = writtenAt[index];
      if (written === undefined || this.#ghosts.has(turn)) return;
      if (o.outcome === "unknown" && !(written > o.gaveUpAt!)) {
        this.#landedInTime.add(turn);
        return;
      }
      ghostsFound++;
      this.#landedInTime.delete(turn);
      this.#ghosts.set(turn, {
        turn,
        key,
        msg: o.msg!,
        kind: o.outcome === "unknown" ? "written after the bot gave up" : "logged as not stored",
        foundAt: name,
      });
    });
    newlyStored.forEach(({ turn, loggedAt }, index) => {
      if (writtenAt[doubtful.length + index] !== undefined) this.#report.storedSeen++;
      else if (this.#wipes.some((wipe) => wipe >= loggedAt)) {
        this.#report.storedUncheckedBeforeKill++;
      } else this.#report.storedMissing.push(turn);
    });
    this.#report.checkpoints.push({ name, checked: doubtful.length, ghostsFound });
  }

  report(): GhostReport {
    return {
      ...this.#report,
      ghosts: [...this.#ghosts.values()],
      unknownLandedInTime: this.#landedInTime.size,
    };
  }

  async #readWithRetry(
    name: string,
    keys: string[],
    retryForMs: number,
  ): Promise<Array<number | undefined>> {
    const deadline = Date.now() + retryForMs;
    for (;;) {
      try {
        return await this.#read(keys);
      } catch (error) {
        if (Date.now() > deadline) {
          throw new Error(
            `the ghost-write check "${name}" could not read Redis for ${retryForMs} ms`,
            { cause: error },
          );
        }
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
  }
}
