import { Agent, type AgentInputItem, type Model, Runner } from "@openai/agents";
import { assertNumberOption, describeValue } from "../describe-value";
import { describeCause, type MemoryLogger } from "../logger";
import { type PairRole, pairRole, tokenWindowLimit, windowStartBy } from "../policy";
import { assertKnownOptions, optionNames } from "../store/known-options";

/*
 * A summary of what falls out of the window (opt-in `summary` on both sessions). The history
 * a session keeps is `[summary?, ...items]`: the summary is one system message at the head.
 * The model's input is `[summary, ...window]`, the window cut by THE window rule after the
 * summary (which takes one item and its tokens from the limits). Items that leave the window
 * stay in the store, unsummarised, until a summary folds them. After a write (the turn's items
 * persisted), in the background, when items are out of the window and more than `everyTurns`
 * user turns follow the summary, the summariser folds the old summary, those items and the window's oldest `everyTurns` turns into a new summary, and
 * the history becomes `[new summary, ...the rest of the window]` (StoreSession: one
 * conditional transaction; ReplySession: the reply's keys rewritten without a link, so replies
 * below inherit it and older answers keep theirs). A failed summary changes nothing stored:
 * the items wait for the next try.
 */

/** How the summary item's text starts; it is how a session finds the summary in a history. */
export const SUMMARY_PREFIX = "Summary of the earlier conversation (agents-memory):\n";

/** The summariser's default instructions (replace with `summary.instructions`). */
export const DEFAULT_SUMMARY_INSTRUCTIONS =
  "You maintain the running summary of a conversation. You are given the previous summary (if any) and the messages that just left the conversation's window. Write one updated summary, in plain sentences, that keeps every fact, name, number, decision, preference and open question the user may refer to later. Be concise; do not address the user; output only the summary.";

/** User turns that must fall out of the window before a summary runs. */
export const DEFAULT_SUMMARY_EVERY_TURNS = 10;
/** How long one summariser run may take, in ms, before it is abandoned (and reported). */
export const DEFAULT_SUMMARY_TIMEOUT_MS = 30_000;
/**
 * Items a session keeps beyond its window while they wait for a summary (a summariser that
 * keeps failing). Past it, the oldest are dropped, and that is logged with their count.
 */
export const MAX_UNSUMMARIZED_ITEMS = 400;

/**
 * The `summary` option of `StoreSession` and `ReplySession`: a summariser agent folding what
 * falls out of the window into one summary item kept at the window's head.
 */
export interface SummaryOptions {
  /**
   * The summariser, any `Agent` (its model and instructions are used as they are). Default: an
   * agent with `model` and `instructions`. Pass `agent` or `model`/`instructions`, not both.
   */
  agent?: Agent;
  /** The summariser's model (a name or a `Model`). Default: the runner's default model. */
  model?: string | Model;
  /** The summariser's instructions. Default: {@link DEFAULT_SUMMARY_INSTRUCTIONS}. */
  instructions?: string;
  /**
   * A summary runs when items have left the window and more than `everyTurns` user turns
   * follow the last summary; it folds them with the window's oldest `everyTurns` turns, so the
   * window has room again and the next one is due about `everyTurns` turns later (sooner only
   * when one long item pushes several turns out). A positive integer. Default 10.
   */
  everyTurns?: number;
  /** Budget for one summariser run, in ms (it is aborted after). Default 30 000. */
  timeoutMs?: number;
  /** The runner the summariser runs with (its model provider, tracing…). Default: `new Runner()`. */
  runner?: Runner;
  /** Called when a summary fails (after it is logged), with the error and the session's key. */
  onError?: (error: unknown, info: { key: string; items: number }) => void;
}

/** Every name of {@link SummaryOptions}: any other is refused. */
export const SUMMARY_OPTION_NAMES = optionNames<SummaryOptions>({
  agent: true,
  model: true,
  instructions: true,
  everyTurns: true,
  timeoutMs: true,
  runner: true,
  onError: true,
});

/** What a summary attempt did (`flushSummary()` resolves with it). */
export interface SummaryOutcome {
  /**
   * `"summarized"`: the history now starts with the new summary; `"failed"`: the summariser
   * or the write failed, nothing stored changed (logged); `"conflict"`: the history changed
   * meanwhile, nothing written (the next turn tries again).
   */
  status: "summarized" | "failed" | "conflict";
  /** How many items the summary folded (or would have). */
  items: number;
  /** The error, when `"failed"`. */
  error?: unknown;
}

/** True for the summary item a session writes (a system message starting with the prefix). */
export function isSummaryItem(item: unknown): boolean {
  const candidate = item as { role?: unknown; content?: unknown } | null;
  return (
    typeof candidate === "object" &&
    candidate !== null &&
    candidate.role === "system" &&
    typeof candidate.content === "string" &&
    candidate.content.startsWith(SUMMARY_PREFIX)
  );
}

/** The index of the last summary item in `items`, or -1. Items before it are already folded in. */
export function summaryIndex(items: readonly AgentInputItem[]): number {
  for (let index = items.length - 1; index >= 0; index--) {
    if (isSummaryItem(items[index])) return index;
  }
  return -1;
}

/** The summary item for `text`: a system message, which the Responses API takes as input. */
export function summaryItem(text: string): AgentInputItem {
  return { type: "message", role: "system", content: `${SUMMARY_PREFIX}${text.trim()}` };
}

/** One line per item for the summariser: `role: text` for messages, `type: json` otherwise. */
export function transcriptOf(items: readonly AgentInputItem[]): string {
  return items
    .map((item) => {
      const { role, content, type } = item as { role?: string; content?: unknown; type?: string };
      if (typeof role === "string") return `${role}: ${textOf(content)}`;
      return `${type ?? "item"}: ${JSON.stringify(item)}`;
    })
    .join("\n");
}

function textOf(content: unknown): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  return content
    .map((part: { text?: unknown; refusal?: unknown; type?: unknown }) =>
      typeof part?.text === "string"
        ? part.text
        : typeof part?.refusal === "string"
          ? part.refusal
          : `[${String(part?.type ?? "part")}]`,
    )
    .join("");
}

/** The summariser of one session: when to run, the run (bounded), and how a failure is told. */
export class Summarizer {
  readonly everyTurns: number;
  readonly #agent: Agent;
  readonly #runner: Runner;
  readonly #timeoutMs: number;
  readonly #logger: MemoryLogger;
  readonly #onError: SummaryOptions["onError"];

  constructor(options: SummaryOptions, logger: MemoryLogger) {
    if (!options || typeof options !== "object") {
      throw new TypeError(
        `[agents-memory] summary must be an object, got ${describeValue(options)}`,
      );
    }
    assertKnownOptions(options, SUMMARY_OPTION_NAMES, { path: "summary." });
    const { agent, model, instructions } = options;
    if (agent !== undefined && (model !== undefined || instructions !== undefined)) {
      throw new TypeError("[agents-memory] summary: pass agent or model/instructions, not both");
    }
    if (agent !== undefined && !(agent instanceof Agent)) {
      throw new TypeError("[agents-memory] summary.agent must be an Agent");
    }
    const everyTurns = options.everyTurns ?? DEFAULT_SUMMARY_EVERY_TURNS;
    assertNumberOption("summary.everyTurns", everyTurns, { integer: true });
    const timeoutMs = options.timeoutMs ?? DEFAULT_SUMMARY_TIMEOUT_MS;
    assertNumberOption("summary.timeoutMs", timeoutMs, { integer: true });
    this.everyTurns = everyTurns;
    this.#timeoutMs = timeoutMs;
    this.#agent =
      agent ??
      new Agent({
        name: "summarizer",
        instructions: instructions ?? DEFAULT_SUMMARY_INSTRUCTIONS,
        ...(model === undefined ? {} : { model }),
      });
    this.#runner = options.runner ?? new Runner();
    this.#logger = logger;
    this.#onError = options.onError;
  }

  /**
   * True when items left the window (`fallen`: how many wait, unsummarised) and more than
   * `everyTurns` user turns follow the summary (all of `afterSummary`'s user messages): so a
   * window of few turns is not summarised on every turn.
   */
  due(afterSummary: readonly AgentInputItem[], fallen: number): boolean {
    if (fallen <= 0) return false;
    let turns = 0;
    for (const item of afterSummary) {
      if ((item as { role?: unknown }).role === "user" && ++turns > this.everyTurns) return true;
    }
    return false;
  }

  /**
   * Where the items kept after a summary begin, in a history whose window begins at `start`:
   * the summary also folds the window's oldest `everyTurns` turns (each begins with a user
   * message), so the window has room again and the next summary is due about `everyTurns`
   * turns later. The newest turn is always kept; the cut is pair-safe.
   */
  keptStart(items: readonly AgentInputItem[], start: number): number {
    const turns: number[] = [];
    for (let index = start; index < items.length; index++) {
      if ((items[index] as { role?: unknown }).role === "user") turns.push(index);
    }
    const at = turns[Math.min(this.everyTurns, turns.length - 1)] ?? start;
    const count = items.length;
    return Math.max(
      at,
      windowStartBy(count, count - at, (index) => pairRole(items[index])),
    );
  }

  /**
   * The new summary item: `previous` (a summary item or undefined) and `fallen` folded by the
   * summariser, within `timeoutMs`. Rejects on any failure (an empty answer included).
   */
  async fold(
    previous: AgentInputItem | undefined,
    fallen: readonly AgentInputItem[],
  ): Promise<AgentInputItem> {
    const before =
      previous === undefined
        ? "(none)"
        : String((previous as { content: string }).content).slice(SUMMARY_PREFIX.length);
    const input = `Previous summary:\n${before}\n\nMessages that left the window:\n${transcriptOf(fallen)}`;
    const result = await this.#runner.run(this.#agent, input, {
      signal: AbortSignal.timeout(this.#timeoutMs),
    });
    const text = result.finalOutput;
    if (typeof text !== "string" || text.trim() === "") {
      throw new Error(`the summariser gave no text (got ${describeValue(text)})`);
    }
    return summaryItem(text);
  }

  /** Logs (with its error) and reports a failed summary; the items it would have folded stay. */
  failed(key: string, items: number, error: unknown): SummaryOutcome {
    this.#logger.error(
      { key, items, cause: describeCause(error) },
      "the summary of what left the window failed; nothing stored changed, the items stay for the next try",
    );
    try {
      this.#onError?.(error, { key, items });
    } catch (callbackError) {
      this.#logger.error({ key, cause: describeCause(callbackError) }, "summary.onError threw");
    }
    return { status: "failed", items, error };
  }

  /** Logs items dropped unsummarised (the backlog past {@link MAX_UNSUMMARIZED_ITEMS}). */
  dropped(key: string, items: number): void {
    this.#logger.warn(
      { key, items, limit: MAX_UNSUMMARIZED_ITEMS },
      "items out of the window are dropped unsummarised: more wait for a summary than the limit (is the summariser failing?)",
    );
  }
}

/**
 * How a history `[...folded, summary?, ...fallen, ...window]` splits: `summaryAt` is the last
 * summary item's index (-1: none) and `start` where the window begins. The window is THE
 * window rule (`tokenWindowLimit`, `windowStartBy`) over the items after the summary, with the
 * summary taking one of `maxItems` and its tokens off `maxTokens`: the model's input is
 * `[summary, ...window]` and stays within both limits.
 */
export interface SummarySplit {
  summaryAt: number;
  start: number;
}

export function splitBySummary(
  count: number,
  summaryAt: number,
  maxItems: number,
  maxTokens: number | undefined,
  tokensAt: ((index: number) => number) | undefined,
  roleAt: (index: number) => PairRole,
): SummarySplit {
  const from = summaryAt + 1;
  const rest = count - from;
  const items = Math.max(0, summaryAt >= 0 ? maxItems - 1 : maxItems);
  const tokens =
    maxTokens === undefined
      ? undefined
      : Math.max(0, maxTokens - (summaryAt >= 0 && tokensAt ? tokensAt(summaryAt) : 0));
  const limit = tokenWindowLimit(rest, Math.min(items, rest), tokens, (index) =>
    tokensAt!(from + index),
  );
  return { summaryAt, start: from + windowStartBy(rest, limit, (index) => roleAt(from + index)) };
}
