import { describe, expect, test } from "vitest";
import { replyKey } from "../src";

describe("replyKey", () => {
  test("builds the Python bot's key format", () => {
    expect(replyKey(42, 1001)).toBe("bot:42:1001");
    expect(replyKey(7, -1001234567890)).toBe("bot:7:-1001234567890");
    expect(replyKey(7, 5, "tg")).toBe("tg:7:5");
  });

  test.each([
    ["a string id", "42", 1],
    ["text", "1:2; DEL *", 1],
    ["a float", 1.5, 1],
    ["NaN", Number.NaN, 1],
    ["an unsafe integer", 2 ** 60, 1],
    ["null", null, 1],
    ["a bigint", 42n, 1],
  ])("rejects %s as message id", (_label, messageId, chatId) => {
    expect(() => replyKey(messageId as number, chatId)).toThrow(/messageId must be a safe integer/);
  });

  test("rejects a bad chat id, a non-positive message id and a bad prefix", () => {
    expect(() => replyKey(1, "-100" as unknown as number)).toThrow(/chatId must be a safe integer/);
    expect(() => replyKey(0, 1)).toThrow(/must be positive/);
    expect(() => replyKey(-3, 1)).toThrow(/must be positive/);
    expect(() => replyKey(1, 1, "")).toThrow(/prefix/);
    expect(() => replyKey(1, 1, "bot key")).toThrow(/prefix/);
    expect(() => replyKey(1, 1, "x\r\nSET")).toThrow(/prefix/);
  });
});

import { describeCause } from "../src/store";

test("describeCause masks the userinfo of a connection string a client quoted", () => {
  const error = new Error("connect ENOENT //:S3cret@host:6379 and redis://user:pa@ss@host/0");
  const described = describeCause(error);
  expect(described).not.toContain("S3cret");
  expect(described).not.toContain("pa@ss");
  expect(described).toContain("//***@host:6379");
});
