import { type AgentInputItem, protocol, UserError } from "@openai/agents";
import type { HistoryTransaction } from "../store/contract";
import { sha1Hex } from "../store/fingerprint";

/**
 * Checks and copies the runner's transaction arguments as the SDK's `MemorySession` does (the
 * same `UserError` messages), before anything is written: a non-empty `operationId`, exactly
 * the fields of one transaction type, and items that are JSON and valid `protocol.ModelItem`s.
 */
export function snapshotTransaction(args: unknown): {
  operationId: string;
  transaction: HistoryTransaction;
} {
  if (!args || typeof args !== "object") {
    throw new UserError("Session history transaction arguments are invalid.");
  }
  const { operationId, transaction } = args as { operationId?: unknown; transaction?: unknown };
  if (typeof operationId !== "string" || !operationId.trim()) {
    throw new UserError("Session history transaction operationId must be a non-empty string.");
  }
  if (!transaction || typeof transaction !== "object") {
    throw new UserError("Session history transaction must be an object.");
  }
  const record = transaction as Record<string, unknown>;
  const fields = Object.keys(record).sort().join(",");
  if (record.type === "append_items") {
    if (fields !== "items,type" || !Array.isArray(record.items)) {
      throw new UserError("Session history append transaction fields are invalid.");
    }
    return {
      operationId,
      transaction: { type: "append_items", items: snapshotItems(record.items) },
    };
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
      expectedSuffix: snapshotItems(record.expectedSuffix),
      replacement: snapshotItems(record.replacement),
    },
  };
}

function snapshotItems(items: unknown[]): AgentInputItem[] {
  let copies: unknown[];
  try {
    copies = JSON.parse(JSON.stringify(items)) as unknown[];
  } catch {
    throw new UserError("Session history transaction items contain invalid or unsupported data.");
  }
  if (
    copies.length !== items.length ||
    !copies.every((item) => protocol.ModelItem.safeParse(item).success)
  ) {
    throw new UserError("Session history transaction items contain invalid or unsupported data.");
  }
  return copies as AgentInputItem[];
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
