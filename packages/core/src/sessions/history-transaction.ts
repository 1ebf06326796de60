import { type AgentInputItem, protocol, UserError } from "@openai/agents";
import type { HistoryTransaction } from "../store/contract";
import { sha1Hex } from "../store/fingerprint";
import { plainJsonCopy } from "./plain-json";

/**
 * Checks and copies the runner's transaction arguments as the SDK's `MemorySession` does, with
 * its `UserError` messages, before anything is written: the envelope read once (an accessor that
 * throws gives "arguments are invalid", never its own message, which could quote a secret), a
 * non-empty `operationId`, plain JSON data throughout (see {@link plainJsonCopy}), exactly the
 * fields of one transaction type, and items that are valid `protocol.ModelItem`s.
 */
export function snapshotTransaction(args: unknown): {
  operationId: string;
  transaction: HistoryTransaction;
} {
  let operationId: unknown;
  let transaction: unknown;
  try {
    if (!args || typeof args !== "object") throw new TypeError("no arguments");
    operationId = Reflect.get(args, "operationId");
    transaction = Reflect.get(args, "transaction");
  } catch {
    throw new UserError("Session history transaction arguments are invalid.");
  }
  if (typeof operationId !== "string" || !operationId.trim()) {
    throw new UserError("Session history transaction operationId must be a non-empty string.");
  }
  if (!transaction || typeof transaction !== "object") {
    throw new UserError("Session history transaction must be an object.");
  }
  let record: Record<string, unknown>;
  try {
    record = plainJsonCopy(transaction) as Record<string, unknown>;
  } catch {
    throw new UserError(INVALID_ITEMS);
  }
  const fields = Object.keys(record).sort().join(",");
  if (record.type === "append_items") {
    if (fields !== "items,type" || !Array.isArray(record.items)) {
      throw new UserError("Session history append transaction fields are invalid.");
    }
    return { operationId, transaction: { type: "append_items", items: modelItems(record.items) } };
  }
  if (record.type !== "replace_suffix") {
    throw new UserError("Unsupported session history transaction type.");
  }
  if (
    fields !== "expectedSuffix,replacement,type" ||
    !Array.isArray(record.expectedSuffix) ||
    !Array.isArray(record.replacement)
  ) {
    throw new UserError("Session history suffix transaction fields are invalid.");
  }
  return {
    operationId,
    transaction: {
      type: "replace_suffix",
      expectedSuffix: modelItems(record.expectedSuffix),
      replacement: modelItems(record.replacement),
    },
  };
}

const INVALID_ITEMS = "Session history transaction items contain invalid or unsupported data.";

function modelItems(items: unknown[]): AgentInputItem[] {
  if (!items.every((item) => protocol.ModelItem.safeParse(item).success)) {
    throw new UserError(INVALID_ITEMS);
  }
  return items as AgentInputItem[];
}

/**
 * What identifies a transaction: the SHA-1 of its canonical JSON (object keys sorted), so the
 * same transaction retried by another process gets the same fingerprint.
 */
export function transactionFingerprint(transaction: HistoryTransaction): Promise<string> {
  return sha1Hex(canonicalJson(transaction));
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, entry]) => entry !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, entry]) => `${JSON.stringify(key)}:${canonicalJson(entry)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}
