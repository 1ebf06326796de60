import { expect, test } from "vitest";
import { MemoryStore, ReplySession, replyKey, StoreSession } from "../src";

/*
 * A refused setting says what it was given, type included: `ttlSeconds: "60"` (a string from an
 * env file) must not read "got 60", as if 60 had been refused.
 */

const store = new MemoryStore();

test.each([
  [
    { ttlSeconds: "60" },
    /ttlSeconds must be a positive integer of at most 10000000000 \(about 317 years\), got the string "60"/,
  ],
  [{ ttlSeconds: 1.5 }, /ttlSeconds must be a positive integer .*, got 1\.5$/],
  [{ maxItems: "50" }, /maxItems must be a positive integer, got the string "50"/],
  [{ maxItems: null }, /maxItems must be a positive integer, got null/],
  [{ timeoutMs: "1000" }, /timeoutMs must be a positive number, got the string "1000"/],
  [{ failureMode: ["degrade"] }, /failureMode must be .*, got an array \["degrade"\]/],
])("StoreSession(%o) names the value and its type", (options, message) => {
  expect(() => new StoreSession({ store, sessionId: "s", ...(options as object) })).toThrow(
    message,
  );
});

test("ReplySession's limits say the same", () => {
  expect(
    () => new ReplySession({ store, chatId: 1, replyToMessageId: 2, ttlSeconds: "60" } as never),
  ).toThrow(/got the string "60"/);
});

test("a store call's options say what they were given", async () => {
  await expect(
    store.append("k", [], { maxItems: 10, ttlSeconds: "60" as unknown as number }),
  ).rejects.toThrow(
    /ttlSeconds must be a whole number of seconds up to 10000000000 \(0: no expiry\), got the string "60"/,
  );
  await expect(store.read("k", true as never)).rejects.toThrow(
    /read limit must be a non-negative integer, got the boolean true/,
  );
  await expect(
    store.append("k", [], { maxItems: 10, ttlSeconds: 60, deadline: { at: 1 } as never }),
  ).rejects.toThrow(/deadline must be ms since the epoch, got an object \{"at":1\}/);
});

test("a key part says what it was given", () => {
  expect(() => replyKey("42" as never, 1)).toThrow(/messageId must be .*, got the string "42"/);
  expect(() => replyKey(42n as never, 1)).toThrow(/got the bigint 42n/);
});
