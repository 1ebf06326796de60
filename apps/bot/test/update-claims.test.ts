import { MemoryStore, type SessionStore } from "@agents-memory/core";
import pino from "pino";
import { afterEach, describe, expect, test } from "vitest";
import { UpdateClaims } from "../src/transports/telegram/update-claims";

const KEY = "bot:update:7:42";
const logger = pino({ level: "silent" });

const claimsOn = (store: SessionStore, leaseMs = 30_000) =>
  new UpdateClaims({ store, botId: 7, keyPrefix: "bot", leaseMs, timeoutMs: 250, logger });

describe("UpdateClaims: one process answers an update; the others wait, skip or take over", () => {
  const stores: MemoryStore[] = [];
  const memory = () => {
    const store = new MemoryStore({ sweepIntervalMs: 0 });
    stores.push(store);
    return store;
  };
  afterEach(async () => {
    for (const store of stores.splice(0)) await store.close();
  });

  test("held by another process: waits, and skips the update once that one marks it done", async () => {
    const store = memory();
    await store.claim(KEY, { holder: "other", leaseMs: 30_000 });
    let ran = false;
    const waiting = claimsOn(store).once(42, async () => {
      ran = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    await store.finishClaim(KEY, { holder: "other", keepMs: 60_000 });
    expect(await waiting).toBe("done-elsewhere");
    expect(ran).toBe(false);
  });

  test("held by a process that died: taken over once its lease runs out, then marked done", async () => {
    const store = memory();
    await store.claim(KEY, { holder: "dead", leaseMs: 400 });
    const claims = claimsOn(store, 600);
    let ran = 0;
    expect(await claims.once(42, async () => void ran++)).toBe("answered");
    expect(ran).toBe(1);
    expect(await store.claim(KEY, { holder: "later", leaseMs: 1000 })).toEqual({ state: "done" });
    // Received again (a redelivery): not answered twice.
    expect(await claims.once(42, async () => void ran++)).toBe("done-elsewhere");
    expect(ran).toBe(1);
  });

  test("stopping while another process holds it: abandoned, reported, never run", async () => {
    const store = memory();
    await store.claim(KEY, { holder: "other", leaseMs: 30_000 });
    const claims = claimsOn(store);
    const abandoned: number[] = [];
    claims.onAbandoned = (id) => abandoned.push(id);
    let ran = false;
    const waiting = claims.once(42, async () => {
      ran = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    claims.stop();
    expect(await waiting).toBe("abandoned");
    expect(abandoned).toEqual([42]);
    expect(ran).toBe(false);
  });

  test("a store that cannot claim: the update is answered anyway (3 tries), unclaimed", async () => {
    const store = memory();
    let tries = 0;
    store.claim = async () => {
      tries++;
      throw new Error("store down");
    };
    let ran = false;
    expect(
      await claimsOn(store).once(42, async () => {
        ran = true;
      }),
    ).toBe("answered");
    expect(ran).toBe(true);
    expect(tries).toBe(3);
  });

  test("a turn still running when shutdown gives up: its claim is freed for another process", async () => {
    const store = memory();
    const claims = claimsOn(store);
    let release: () => void = () => {};
    const running = claims.once(42, () => new Promise<void>((resolve) => (release = resolve)));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await store.claim(KEY, { holder: "next", leaseMs: 1000 })).toMatchObject({
      state: "held",
    });
    await claims.releaseUnfinished();
    expect(await store.claim(KEY, { holder: "next", leaseMs: 1000 })).toEqual({
      state: "claimed",
    });
    release();
    await running;
  });
  test("once the answer is out the claim is done, while the history write still runs: a process that dies then is not taken over", async () => {
    const store = memory();
    const claims = claimsOn(store, 600);
    let writeHistory: () => void = () => {};
    const running = claims.once(42, async (answerOut) => {
      answerOut();
      // The history write, still running (a process killed here must not be answered again).
      await new Promise<void>((resolve) => (writeHistory = resolve));
    });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await store.claim(KEY, { holder: "next", leaseMs: 1000 })).toEqual({ state: "done" });
    // Past the lease: still done, not free for a takeover; shutdown frees nothing.
    await new Promise((resolve) => setTimeout(resolve, 700));
    await claims.releaseUnfinished();
    expect(await store.claim(KEY, { holder: "next", leaseMs: 1000 })).toEqual({ state: "done" });
    writeHistory();
    expect(await running).toBe("answered");
  });
});
