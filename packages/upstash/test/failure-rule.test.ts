import { type AddressInfo, createServer } from "node:net";
import { userItem } from "@agents-memory/core/testing";
import { freePort } from "@agents-memory/test-servers/free-port";
import {
  expectUnansweredCalls,
  storeErrorOf,
  whileOutOfMemory,
} from "@agents-memory/test-servers/testing";
import { afterAll, beforeEach, describe, expect, test } from "vitest";
import { flavors, prefix, startBackend } from "./__fixtures__/setup";

/*
 * The failure rule (core's `storeCallError`), as a user of UpstashStore meets it: a write
 * reported "failed" changed nothing; "unknown" is said only of a write that went out and got
 * no answer. One case each: a request not sent, a read, an error answer, a write unanswered.
 */

const backend = await startBackend();
const { upstash, direct } = backend;
/** A port where nothing listens: every connection is refused, so nothing is sent. */
const refusedUrl = `http://127.0.0.1:${await freePort()}`;

afterAll(async () => {
  upstash.hang(false);
  await backend.stop();
});

beforeEach(() => {
  upstash.hang(false);
});

const opts = { maxItems: 50, ttlSeconds: 600 };
const BUDGET_MS = 300;

describe.each(flavors)("$name", (flavor) => {
  test("a write never sent (its deadline had passed) is failed, and nothing lands", async () => {
    const store = flavor.make(upstash, { timeoutMs: BUDGET_MS });
    const p = prefix("rule-late");
    await store.replace(`${p}k`, [userItem("a")], 600);
    const late = await storeErrorOf(
      store.append(`${p}k`, [userItem("late")], { ...opts, deadline: Date.now() - 1 }),
    );
    expect(late.outcome).toBe("failed");
    expect(late.message).not.toMatch(/may have been applied/);
    expect(await store.read(`${p}k`)).toEqual([userItem("a")]);
  });

  test("an error answer to a write is failed, and the write changed nothing", async () => {
    const store = flavor.make(upstash, { timeoutMs: 2000 });
    const p = prefix("rule-oom");
    await store.replace(`${p}k`, [userItem("a")], 600);
    const refused = await whileOutOfMemory(direct, () =>
      storeErrorOf(store.append(`${p}k`, [userItem("refused")], opts)),
    );
    expect(refused.message).toMatch(/OOM/);
    expect(refused.outcome).toBe("failed");
    expect(await store.read(`${p}k`)).toEqual([userItem("a")]);
  });

  test("a read that got no answer is failed; a write that got none is unknown, and says so", async () => {
    const store = flavor.make(upstash, { timeoutMs: BUDGET_MS });
    const p = prefix("rule-hung");
    await store.replace(`${p}k`, [userItem("a")], 600);
    upstash.hang(true);
    await expectUnansweredCalls(store, `${p}k`);
  });
});

// A client that retries by itself is cut off by the budget while it retries: the store cannot
// tell its attempts apart, so only the clients that do not retry are asked here.
describe.each(flavors.filter((flavor) => !flavor.name.includes("defaults")))("$name", (flavor) => {
  test("a write refused at connect (nothing listening) is failed", async () => {
    const store = flavor.make({ url: refusedUrl, token: "t" }, { timeoutMs: BUDGET_MS });
    const refused = await storeErrorOf(store.append(prefix("rule-refused"), [userItem("x")], opts));
    expect(refused.message).toMatch(/Upstash is unreachable/);
    expect(refused.outcome).toBe("failed");
  });

  test("a write whose request was lost (reset) and whose retry was refused is unknown", async () => {
    // The first connection is dropped after it came (its request may have been applied), then
    // nothing listens any more: the retry is refused.
    const server = createServer((socket) => {
      socket.destroy();
      server.close();
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const store = flavor.make({ url, token: "t" }, { timeoutMs: 2000 });
    // replace is idempotent: the store retries it once after a request that got no response.
    const lost = await storeErrorOf(store.replace(prefix("rule-lost"), [userItem("x")], 600));
    expect(lost.message).toMatch(/Upstash is unreachable/);
    expect(lost.outcome).toBe("unknown");
  });
});
