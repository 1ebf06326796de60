import assert from "node:assert/strict";
import type { AgentInputItem } from "@openai/agents";
import { silentLogger } from "../../logger";
import { pairRole } from "../../policy/pairs";
import { loadO200kCounter, type TokenCounter } from "../../policy/tokens";
import { ReplySession } from "../../sessions/reply-session";
import { StoreSession } from "../../sessions/store-session";
import { storedTokenCount, TOKEN_COUNT_FIELD } from "../../store/token-count";
import type { GroupContext } from "../group-context";
import { modelWindowStart, randomHistory } from "../random-history";

/** Each store call's budget: the property is the window, not the latency of a loaded machine. */
const BUDGET_MS = 10_000;

/** Random histories per session kind; `AGENTS_MEMORY_TOKEN_CASES` raises it for a long run. */
const CASES = Number(process.env.AGENTS_MEMORY_TOKEN_CASES ?? 6);

/**
 * Token budgets (`maxTokens`) through both sessions on the store: each item's count is stored
 * in its element when written and never shown to the model; a read of counted history never
 * tokenizes; history without counts is counted on read; and on seeded random agent histories
 * every window is the one THE window rule gives for the whole conversation (pair-safe, within
 * `maxItems` and `maxTokens` by the library's count, the newest items that fit).
 */
export function tokensGroup({ it, raw }: GroupContext): void {
  it("a session with maxTokens stores each item's count in its element; items come back without it", async (store, p) => {
    const counter = await loadO200kCounter();
    const items = randomHistory(1, 3).items;
    const session = new StoreSession({
      timeoutMs: BUDGET_MS,
      store,
      sessionId: `${p}s`,
      maxTokens: 100_000,
    });
    await session.addItems(items);
    const elements = await raw.elements(`${p}s`);
    assert.deepEqual(
      elements.map(storedTokenCount),
      items.map((item) => counter(item)),
    );
    const back = await session.getItems();
    assert.deepEqual(back, JSON.parse(JSON.stringify(items)));
    assert.ok(back.every((item) => !(TOKEN_COUNT_FIELD in item)));
    assert.ok(!(TOKEN_COUNT_FIELD in ((await session.popItem()) as object)));
  });

  it("a read of counted history never tokenizes it (both sessions)", async (store, p) => {
    const counter = await loadO200kCounter();
    let calls = 0;
    const counting: TokenCounter = (item) => {
      calls++;
      return counter(item);
    };
    const { items } = randomHistory(2, 4);
    const options = { maxTokens: 400, tokenCounter: counting, logger: silentLogger };
    const writer = new StoreSession({
      timeoutMs: BUDGET_MS,
      store,
      sessionId: `${p}s`,
      ...options,
    });
    await writer.addItems(items);
    const first = new ReplySession({
      timeoutMs: BUDGET_MS,
      store,
      chatId: 7,
      keyPrefix: `${p}bot`,
      filter: { dropTypes: [] },
      ...options,
    });
    await first.addItems(items);
    await first.persist(1);
    calls = 0;
    const reader = new StoreSession({
      timeoutMs: BUDGET_MS,
      store,
      sessionId: `${p}s`,
      ...options,
    });
    assert.ok((await reader.getItems()).length > 0);
    const reply = new ReplySession({
      timeoutMs: BUDGET_MS,
      store,
      chatId: 7,
      replyToMessageId: 1,
      keyPrefix: `${p}bot`,
      filter: { dropTypes: [] },
      ...options,
    });
    assert.ok((await reply.getItems()).length > 0);
    assert.equal(calls, 0, "no item counted on read");
  });

  it("history written without counts is counted on read and cut to maxTokens", async (store, p) => {
    const counter = await loadO200kCounter();
    const { items } = randomHistory(3, 6);
    // Written by a session without a token budget (or before counts existed).
    await new StoreSession({ timeoutMs: BUDGET_MS, store, sessionId: `${p}s` }).addItems(items);
    const old = new ReplySession({
      timeoutMs: BUDGET_MS,
      store,
      chatId: 7,
      keyPrefix: `${p}bot`,
      filter: { dropTypes: [] },
      maxItems: 1000,
      logger: silentLogger,
    });
    await old.addItems(items);
    await old.persist(1);
    assert.equal(storedTokenCount((await raw.elements(`${p}s`))[0]!), undefined);
    const maxTokens = 150;
    const expected = items.slice(modelWindowStart(items, 1000, maxTokens, counter));
    const byStore = await new StoreSession({
      timeoutMs: BUDGET_MS,
      store,
      sessionId: `${p}s`,
      maxTokens,
    }).getItems();
    assert.deepEqual(byStore, JSON.parse(JSON.stringify(expected)));
    const byReply = await new ReplySession({
      timeoutMs: BUDGET_MS,
      store,
      chatId: 7,
      replyToMessageId: 1,
      keyPrefix: `${p}bot`,
      filter: { dropTypes: [] },
      maxItems: 1000,
      maxTokens,
      logger: silentLogger,
    }).getItems();
    assert.deepEqual(byReply, JSON.parse(JSON.stringify(expected)));
  });

  it(
    `random histories: every StoreSession window is THE window of the whole history (${CASES} cases)`,
    async (store, p) => {
      const counter = await loadO200kCounter();
      for (let seed = 100; seed < 100 + CASES; seed++) {
        const { items, batches } = randomHistory(seed, 4);
        const maxItems = 1 + (seed % 12);
        const maxTokens = 20 + ((seed * 37) % 300);
        const session = new StoreSession({
          timeoutMs: BUDGET_MS,
          store,
          sessionId: `${p}${seed}`,
          maxItems,
          maxTokens,
          logger: silentLogger,
        });
        const transact = seed % 2 === 0 && session.applyHistoryTransaction !== undefined;
        let added = 0;
        for (const [index, batch] of batches.entries()) {
          if (transact) {
            await session.applyHistoryTransaction!({
              operationId: `op${index}`,
              transaction: { type: "append_items", items: batch },
            });
          } else {
            await session.addItems(batch);
          }
          added += batch.length;
          const history = items.slice(0, added);
          const expected = history.slice(modelWindowStart(history, maxItems, maxTokens, counter));
          const window = await session.getItems();
          checkWindow(window, expected, maxTokens, counter, `seed ${seed}, ${added} items`);
        }
      }
    },
    60_000,
  );

  it(
    `random histories: every ReplySession window is THE window of the whole conversation (${CASES} cases)`,
    async (store, p) => {
      const counter = await loadO200kCounter();
      for (let seed = 200; seed < 200 + CASES; seed++) {
        const { items, batches } = randomHistory(seed, 4);
        const maxItems = 1 + (seed % 12);
        const maxTokens = 20 + ((seed * 37) % 300);
        let added = 0;
        for (const [index, batch] of batches.entries()) {
          const session = new ReplySession({
            timeoutMs: BUDGET_MS,
            store,
            chatId: seed,
            replyToMessageId: index === 0 ? null : index,
            keyPrefix: `${p}bot`,
            filter: { dropTypes: [] },
            maxItems,
            maxTokens,
            logger: silentLogger,
          });
          const history = items.slice(0, added);
          const expected = history.slice(modelWindowStart(history, maxItems, maxTokens, counter));
          checkWindow(
            await session.getItems(),
            expected,
            maxTokens,
            counter,
            `seed ${seed}, turn ${index}`,
          );
          await session.addItems(batch);
          const result = await session.persist(index + 1);
          assert.equal(result.ok, true);
          added += batch.length;
        }
      }
    },
    60_000,
  );
}

function checkWindow(
  window: AgentInputItem[],
  expected: AgentInputItem[],
  maxTokens: number,
  counter: TokenCounter,
  where: string,
): void {
  assert.deepEqual(window, JSON.parse(JSON.stringify(expected)), where);
  const tokens = window.reduce((total, item) => total + counter(item), 0);
  assert.ok(tokens <= maxTokens, `${where}: ${tokens} tokens over ${maxTokens}`);
  // Pair-safe: no output before or without its call (the model is checked too).
  const calls = new Set<string>();
  for (const item of window) {
    const role = pairRole(item);
    if (role?.kind === "call") calls.add(role.link);
    if (role?.kind === "output") assert.ok(calls.has(role.link), `${where}: orphan output`);
  }
}
