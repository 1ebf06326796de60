import { createHash } from "node:crypto";
import type { AgentInputItem } from "@openai/agents";

/** New items per turn: the user's message and the assistant's answer. */
export const NEW_ITEMS_PER_TURN = 2;

/**
 * Items repeat with this period (in turns), so the history a turn reads depends only on
 * `turn mod PERIOD`: the ceiling row can pre-build every payload, fingerprints included.
 */
export const PERIOD = 8;

/**
 * The conversation every row plays, identical across rows: turn `t` adds a user message and an
 * assistant message, each serializing to exactly `itemBytes` bytes of JSON (ASCII text, so
 * bytes = chars). The history before turn 0 is what turns -window/2 .. -1 would have added.
 */
export class Conversation {
  readonly itemBytes: number;
  /** texts[p][j]: the text of item j of a turn with `turn mod PERIOD = p`. */
  readonly #texts: string[][];
  readonly #fingerprints = new Map<string, string>();

  constructor(itemBytes: number) {
    this.itemBytes = itemBytes;
    const userOverhead = JSON.stringify(userItem("")).length;
    const assistantOverhead = JSON.stringify(assistantItem("")).length;
    if (itemBytes <= Math.max(userOverhead, assistantOverhead)) {
      throw new RangeError(`item size ${itemBytes} B is smaller than an empty item`);
    }
    this.#texts = [];
    for (let p = 0; p < PERIOD; p++) {
      this.#texts.push([
        text(itemBytes - userOverhead, p * 2 + 1),
        text(itemBytes - assistantOverhead, p * 2 + 2),
      ]);
    }
  }

  /** The texts of turn `turn`'s new items (user, then assistant). */
  texts(turn: number): readonly string[] {
    return this.#texts[mod(turn, PERIOD)]!;
  }

  /** Turn `turn`'s new items, as the runner would hand them to the session (fresh objects). */
  newItems(turn: number): AgentInputItem[] {
    const [user, assistant] = this.texts(turn);
    return [userItem(user!), assistantItem(assistant!)];
  }

  /** Turn `turn`'s new items as stored: one JSON string each. */
  newElements(turn: number): string[] {
    return this.newItems(turn).map((item) => JSON.stringify(item));
  }

  /** The newest `window` items before turn `turn` (what the replied-to message holds). */
  history(turn: number, window: number): AgentInputItem[] {
    const items: AgentInputItem[] = [];
    const first = turn - Math.ceil(window / NEW_ITEMS_PER_TURN);
    for (let t = first; t < turn; t++) items.push(...this.newItems(t));
    return items.slice(-window);
  }

  /** `history` as stored elements. */
  historyElements(turn: number, window: number): string[] {
    return this.history(turn, window).map((item) => JSON.stringify(item));
  }

  /** The fork fingerprint (core's `fingerprintItems`: sha1 of the oldest + of the newest element), cached per period. */
  fingerprint(turn: number, window: number): string {
    const id = `${mod(turn, PERIOD)}:${window}`;
    let hex = this.#fingerprints.get(id);
    if (hex === undefined) {
      const elements = this.historyElements(turn, window);
      const sha1 = (text: string) => createHash("sha1").update(text).digest("hex");
      hex = elements.length === 0 ? "" : sha1(elements[0]!) + sha1(elements[elements.length - 1]!);
      this.#fingerprints.set(id, hex);
    }
    return hex;
  }
}

function userItem(content: string): AgentInputItem {
  return { type: "message", role: "user", content } as AgentInputItem;
}

function assistantItem(text: string): AgentInputItem {
  return {
    type: "message",
    role: "assistant",
    status: "completed",
    content: [{ type: "output_text", text }],
  } as AgentInputItem;
}

const WORDS = [
  "memory",
  "reply",
  "redis",
  "agent",
  "turn",
  "history",
  "the",
  "a",
  "of",
  "conversation",
  "telegram",
  "store",
  "and",
  "window",
  "fork",
  "items",
];

/** Deterministic ASCII prose of exactly `length` chars (no char JSON would escape). */
function text(length: number, seed: number): string {
  let state = seed * 2654435761;
  let out = "";
  while (out.length < length) {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    out += `${WORDS[state % WORDS.length]} `;
  }
  return out.slice(0, length);
}

function mod(n: number, m: number): number {
  return ((n % m) + m) % m;
}
