import type { AgentInputItem } from "@openai/agents";
import { pairRole } from "../policy/pairs";

/*
 * Seeded random agent histories for property checks of the window rule: user messages; answers
 * with and without a reasoning item; steps of one to four parallel function calls whose outputs
 * come back in any order (each step's own reasoning item first); a last step may still wait for
 * its outputs. Texts vary in length, so token counts vary. Deterministic per seed, so a failure
 * names the seed that reproduces it.
 */

/** A small seeded PRNG (mulberry32): `next()` in [0, 1). */
export function seededRandom(seed: number): {
  next(): number;
  int(min: number, max: number): number;
} {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { next, int: (min, max) => min + Math.floor(next() * (max - min + 1)) };
}

const WORDS = [
  "alpha",
  "beta",
  "gamma",
  "delta",
  "the",
  "fact",
  "is",
  "42",
  "redis",
  "token",
  "日本語",
  "🙂",
];

/**
 * A history of about `turns` turns, oldest first, and how it was added: `batches` (one to four
 * items each, in order) concatenate to `items`.
 */
export function randomHistory(
  seed: number,
  turns: number,
): { items: AgentInputItem[]; batches: AgentInputItem[][] } {
  const random = seededRandom(seed);
  const text = (max: number) =>
    Array.from({ length: random.int(1, max) }, () => WORDS[random.int(0, WORDS.length - 1)]).join(
      " ",
    );
  const items: AgentInputItem[] = [];
  let ids = 0;
  for (let turn = 0; turn < turns; turn++) {
    items.push({ role: "user", content: text(40) } as AgentInputItem);
    const steps = random.int(0, 2);
    for (let step = 0; step < steps; step++) {
      if (random.next() < 0.5) items.push(reasoning(`rs_${seed}_${ids++}`));
      const calls = Array.from({ length: random.int(1, 4) }, () => `c${seed}_${ids++}`);
      for (const callId of calls) {
        items.push({
          type: "function_call",
          id: `fc_${callId}`,
          callId,
          name: "lookup",
          arguments: JSON.stringify({ q: text(8) }),
        } as AgentInputItem);
      }
      // The last step of the last turn may still wait for its outputs.
      if (turn === turns - 1 && step === steps - 1 && random.next() < 0.3) return split(items);
      for (const callId of shuffled(calls, random.next)) {
        items.push({
          type: "function_call_result",
          callId,
          name: "lookup",
          status: "completed",
          output: text(60),
        } as AgentInputItem);
      }
    }
    if (random.next() < 0.5) items.push(reasoning(`rs_${seed}_${ids++}`));
    items.push({
      role: "assistant",
      id: `msg_${seed}_${ids++}`,
      status: "completed",
      content: [{ type: "output_text", text: text(80) }],
    } as AgentInputItem);
  }
  return split(items);

  function split(all: AgentInputItem[]) {
    const batches: AgentInputItem[][] = [];
    for (let at = 0; at < all.length; ) {
      const size = random.int(1, 4);
      batches.push(all.slice(at, at + size));
      at += size;
    }
    return { items: all, batches };
  }
}

function reasoning(id: string): AgentInputItem {
  return { type: "reasoning", id, content: [] } as unknown as AgentInputItem;
}

function shuffled<T>(list: readonly T[], next: () => number): T[] {
  const copy = [...list];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy;
}

/**
 * The window rule, written out independently of `windowStartBy` (a model to check it against):
 * the window of `items` under `maxItems` and `maxTokens` (by `tokens`) is the longest suffix
 * within both limits that cuts no pair: the item before it is not a reasoning item, and every
 * output in it follows its call in it.
 */
export function modelWindowStart(
  items: readonly AgentInputItem[],
  maxItems: number,
  maxTokens: number | undefined,
  tokens: (item: AgentInputItem) => number,
): number {
  const n = items.length;
  const sum = (from: number) => items.slice(from).reduce((total, item) => total + tokens(item), 0);
  const fits = (from: number) =>
    n - from <= maxItems && (maxTokens === undefined || sum(from) <= maxTokens);
  for (let start = 0; start <= n; start++) {
    if (!fits(start)) continue;
    if (start > 0 && start < n && pairRole(items[start - 1])?.kind === "reasoning") continue;
    const calls = new Set<string>();
    let whole = true;
    for (let i = start; i < n && whole; i++) {
      const role = pairRole(items[i]);
      if (role?.kind === "call") calls.add(role.link);
      if (role?.kind === "output" && !calls.has(role.link)) whole = false;
    }
    if (whole) return start;
  }
  return n;
}
