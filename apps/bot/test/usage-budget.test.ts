import { emptyUsage, type TokenUsage } from "@agents-memory/core";
import { describe, expect, test } from "vitest";
import { budgetSpentText, isUsageNotice, usageText } from "../src/usage-budget";

const used: TokenUsage = {
  ...emptyUsage(),
  requests: 12,
  inputTokens: 34_567,
  cachedInputTokens: 890,
  outputTokens: 1_234,
  reasoningTokens: 56,
};

describe("the usage notices (a reply to one starts a new conversation)", () => {
  test("are told by their text, whatever the numbers, with and without a budget", () => {
    expect(isUsageNotice(usageText(used, used, undefined))).toBe(true);
    expect(isUsageNotice(usageText(emptyUsage(), used, 50_000))).toBe(true);
    expect(isUsageNotice(budgetSpentText(35_801, 30_000))).toBe(true);
  });

  test("an answer that quotes one, or says something like it, is not one", () => {
    const notice = budgetSpentText(35_801, 30_000);
    expect(isUsageNotice(`You said: ${notice}`)).toBe(false);
    expect(isUsageNotice(`${usageText(used, used, undefined)}\nAnything else?`)).toBe(false);
    expect(isUsageNotice("You have used many of your tokens for today.")).toBe(false);
  });
});
