import { expect, test } from "vitest";
import { answerCounts, chatsOutOfOrder, latencyByPhase, percentile } from "../src/metrics";
import type { Turn } from "../src/traffic";

const turn = (fields: Partial<Turn> & Pick<Turn, "chatId" | "seq">): Turn => ({
  tag: `c${fields.chatId}t${fields.seq}`,
  messageId: fields.seq + 1,
  sentAt: 0,
  phase: "before",
  ...fields,
});

const answer = (text: string) => ({
  message_id: 1,
  date: 0,
  chat: { id: 1, type: "private" },
  text,
});

test("percentiles are nearest-rank: p50 of 1..10 is 5, p99 is 10, and one value is every percentile", () => {
  const values = [7, 3, 10, 1, 9, 2, 8, 4, 6, 5];
  expect(percentile(values, 50)).toBe(5);
  expect(percentile(values, 99)).toBe(10);
  expect(percentile(values, 0)).toBe(1);
  expect(percentile([42], 50)).toBe(42);
  expect(percentile([42], 99)).toBe(42);
  expect(percentile([], 50)).toBeNaN();
});

test("latency per phase counts answered turns only, phases in the order they first appear", () => {
  const rows = latencyByPhase([
    turn({ chatId: 1, seq: 0, sentAt: 0, answeredAt: 40 }),
    turn({ chatId: 1, seq: 1, phase: "paused", sentAt: 100, answeredAt: 400 }),
    turn({ chatId: 1, seq: 2, phase: "paused", sentAt: 200 }),
    turn({ chatId: 2, seq: 0, sentAt: 0, answeredAt: 20 }),
  ]);
  expect(rows).toEqual([
    { phase: "before", count: 2, p50: 20, p99: 40, max: 40 },
    { phase: "paused", count: 1, p50: 300, p99: 300, max: 300 },
  ]);
});

test("an answer counts only when it is the model's answer to that very message", () => {
  const counts = answerCounts([
    turn({ chatId: 1, seq: 0, answer: answer("echo: c1t0 hello") }),
    turn({ chatId: 1, seq: 1, answer: answer("Sorry, something went wrong.") }),
    turn({ chatId: 1, seq: 2 }),
  ]);
  expect(counts.sent).toBe(3);
  expect(counts.answered).toBe(1);
  expect(counts.wrong.map((t) => t.tag)).toEqual(["c1t1"]);
  expect(counts.lost.map((t) => t.tag)).toEqual(["c1t2"]);
});

test("a chat whose later message was answered first is out of order; other chats are not", () => {
  expect(
    chatsOutOfOrder([
      turn({ chatId: 1, seq: 0, answerIndex: 3 }),
      turn({ chatId: 1, seq: 1, answerIndex: 2 }),
      turn({ chatId: 2, seq: 0, answerIndex: 0 }),
      turn({ chatId: 2, seq: 1 }),
      turn({ chatId: 2, seq: 2, answerIndex: 4 }),
    ]),
  ).toEqual([1]);
});
