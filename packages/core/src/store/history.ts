import type { AgentInputItem } from "@openai/agents";
import type { StoredElement } from "./contract";
import { withoutTokenCount } from "./token-count";

/*
 * The history changes of `SessionStore.transact` and `replaceFunctionCall` over stored
 * elements (one JSON object per item), for a store that applies them in this process
 * (MemoryStore). The Redis layout does the same in Lua (`TRANSACT`, `REPLACE_FUNCTION_CALL`).
 */

/**
 * Deep equality of two JSON values as `JSON.parse` gives them: same types, same array
 * elements in order, same object keys (in any order) with equal values. The SDK's
 * `MemorySession` compares transaction snapshots the same way.
 */
export function jsonEqual(left: unknown, right: unknown): boolean {
  if (left === right) return true;
  if (Array.isArray(left) || Array.isArray(right)) {
    return (
      Array.isArray(left) &&
      Array.isArray(right) &&
      left.length === right.length &&
      left.every((entry, index) => jsonEqual(entry, right[index]))
    );
  }
  if (left === null || right === null || typeof left !== "object" || typeof right !== "object") {
    return false;
  }
  const a = left as Record<string, unknown>;
  const b = right as Record<string, unknown>;
  const keys = Object.keys(a);
  return (
    keys.length === Object.keys(b).length &&
    keys.every((key) => Object.hasOwn(b, key) && jsonEqual(a[key], b[key]))
  );
}

/**
 * True when `elements` ends with `expected`, item by item structurally equal (see
 * {@link jsonEqual}); an element that is not JSON never matches.
 */
export function endsWith(
  elements: readonly StoredElement[],
  expected: readonly AgentInputItem[],
): boolean {
  const start = elements.length - expected.length;
  if (start < 0) return false;
  return expected.every((item, index) => {
    const text = elements[start + index]!;
    if (text === JSON.stringify(item)) return true;
    try {
      // A stored token count is not part of the item.
      return jsonEqual(withoutTokenCount(JSON.parse(text)), JSON.parse(JSON.stringify(item)));
    } catch {
      return false;
    }
  });
}

/**
 * The SDK's `applySessionHistoryMutations` for one `replace_function_call`: the first
 * `function_call` element whose `callId` is `callId` becomes `replacement`, later ones are
 * dropped. Returns the new elements, or undefined when there was none (elements that are not
 * JSON objects are kept as they are).
 */
export function replaceFunctionCallIn(
  elements: readonly string[],
  callId: string,
  replacement: string,
): string[] | undefined {
  const next: string[] = [];
  let found = false;
  for (const element of elements) {
    if (isFunctionCall(element, callId)) {
      if (!found) next.push(replacement);
      found = true;
      continue;
    }
    next.push(element);
  }
  return found ? next : undefined;
}

function isFunctionCall(element: string, callId: string): boolean {
  try {
    const item = JSON.parse(element) as { type?: unknown; callId?: unknown } | null;
    return item !== null && item.type === "function_call" && item.callId === callId;
  } catch {
    return false;
  }
}

/**
 * How many operation ids a record holds before it becomes the older one: a history keeps at
 * least the last 256 and at most 512 (the runner records one or two per turn; without a TTL
 * an unbounded record grew with every turn of a session). A retry comes right after its
 * operation, or on resuming a run that stopped in it: far fewer than 256 changes later.
 */
export const OPERATIONS_PER_RECORD = 256;
