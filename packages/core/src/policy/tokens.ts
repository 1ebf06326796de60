import type { AgentInputItem } from "@openai/agents";
import { describeValue } from "../describe-value";

/**
 * Counts the tokens one item costs in the model's input. Must return a non-negative integer
 * and be deterministic: a count is computed once, when the item is written, and stored with it.
 */
export type TokenCounter = (item: AgentInputItem) => number;

/** Tokens of framing the model adds per item (role, separators), as OpenAI's cookbook counts. */
export const ITEM_OVERHEAD_TOKENS = 4;

/**
 * What an inline image or file (a `data:` URL, or any `image` / `image_url` field) counts for:
 * a 1024x1024 image at high detail on GPT-4o. The real cost depends on size, detail and model;
 * a tokenizer cannot know it, and counting the base64 text would be far off.
 */
export const INLINE_DATA_TOKENS = 765;

// Fields the model does not read as text: ids, enums, links, opaque provider data.
const SKIPPED_FIELDS = new Set([
  "id",
  "type",
  "role",
  "status",
  "callId",
  "call_id",
  "approval_request_id",
  "detail",
  "providerData",
  "encrypted_content",
  "encryptedContent",
]);
const DATA_FIELDS = new Set(["image", "image_url", "file_data", "fileData"]);

/**
 * The tokens of `item` as the model reads it, with `countText` counting a string's tokens:
 * {@link ITEM_OVERHEAD_TOKENS}, plus the text of every string the item carries for the model
 * (message text, a call's name and arguments, a tool's output, a reasoning summary), skipping
 * ids, types, links and provider data; an inline image or file counts
 * {@link INLINE_DATA_TOKENS}.
 */
export function countItemTokens(item: AgentInputItem, countText: (text: string) => number): number {
  let total = ITEM_OVERHEAD_TOKENS;
  const visit = (value: unknown, field: string | undefined): void => {
    if (typeof value === "string") {
      if (value === "") return;
      total +=
        (field !== undefined && DATA_FIELDS.has(field)) || value.startsWith("data:")
          ? INLINE_DATA_TOKENS
          : countText(value);
      return;
    }
    if (Array.isArray(value)) {
      for (const entry of value) visit(entry, field);
      return;
    }
    if (value !== null && typeof value === "object") {
      for (const [key, entry] of Object.entries(value)) {
        if (!SKIPPED_FIELDS.has(key)) visit(entry, key);
      }
    }
  };
  visit(item, undefined);
  return total;
}

let o200k: Promise<TokenCounter> | undefined;

/**
 * The default counter: {@link countItemTokens} with the o200k encoding (GPT-4o, GPT-4.1,
 * o-series, GPT-5) of `gpt-tokenizer`. Its tables take about 0.35 s to load, so they load on
 * first use, once per process; a rejection (the module missing) is not cached.
 */
export function loadO200kCounter(): Promise<TokenCounter> {
  o200k ??= import("gpt-tokenizer/encoding/o200k_base").then(
    ({ countTokens }) =>
      (item: AgentInputItem) =>
        countItemTokens(item, countTokens),
    (error: unknown) => {
      o200k = undefined;
      throw error;
    },
  );
  return o200k;
}

/** A counter's answer, checked: a non-negative integer, or a TypeError naming what it gave. */
export function checkedTokenCount(counter: TokenCounter, item: AgentInputItem): number {
  const count = counter(item);
  if (typeof count !== "number" || !Number.isSafeInteger(count) || count < 0) {
    throw new TypeError(
      `[agents-memory] tokenCounter must return a non-negative integer, got ${describeValue(count)}`,
    );
  }
  return count;
}
