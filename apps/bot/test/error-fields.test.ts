import { GrammyError, HttpError } from "grammy";
import { describe, expect, test } from "vitest";
import { errorFields } from "../src/error-fields";

describe("errorFields: one error as log fields, its cause chain once", () => {
  test("grammY's HttpError keeps its cause in `error`; the chain follows it", () => {
    const socket = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:9"), {
      code: "ECONNREFUSED",
    });
    const fetchFailed = new TypeError("fetch failed", { cause: socket });
    const fields = errorFields(new HttpError("Network request for 'getMe' failed!", fetchFailed));
    expect(fields).toMatchObject({
      type: "HttpError",
      message: "Network request for 'getMe' failed!",
      cause: {
        type: "TypeError",
        message: "fetch failed",
        cause: { type: "Error", code: "ECONNREFUSED" },
      },
    });
    expect(fields.stack).toEqual(expect.any(String));
    expect((fields.cause as any).stack).toBeUndefined();
  });

  test("a Bot API error: its status and method", () => {
    const error = new GrammyError(
      "Call to 'sendMessage' failed!",
      { ok: false, error_code: 403, description: "Forbidden: bot was blocked by the user" },
      "sendMessage",
      {},
    );
    expect(errorFields(error)).toMatchObject({
      type: "GrammyError",
      status: 403,
      method: "sendMessage",
    });
  });

  test("a cycle ends the chain; a long chain is cut and says so", () => {
    const a = new Error("a");
    const b = new Error("b", { cause: a });
    (a as any).cause = b;
    expect(JSON.stringify(errorFields(a))).toBe(
      JSON.stringify({
        type: "Error",
        message: "a",
        stack: a.stack,
        cause: { type: "Error", message: "b" },
      }),
    );
    let deep: Error = new Error("0");
    for (let i = 1; i <= 8; i++) deep = new Error(String(i), { cause: deep });
    let depth = 0;
    let last: any = errorFields(deep);
    while (last.cause) {
      last = last.cause;
      depth++;
    }
    expect(depth).toBe(5);
    expect(last.truncated).toBe(true);
  });

  test("an AggregateError lists its members; a thrown non-Error keeps what it was", () => {
    const aggregate = new AggregateError(
      [new Error("::1 refused"), new Error("127.0.0.1 refused")],
      "",
    );
    expect(errorFields(aggregate).errors).toEqual([
      { type: "Error", message: "::1 refused" },
      { type: "Error", message: "127.0.0.1 refused" },
    ]);
    expect(errorFields("boom")).toEqual({ type: "string", message: "boom" });
    expect(errorFields({ reason: "x" })).toEqual({ type: "object", message: '{"reason":"x"}' });
  });
});
