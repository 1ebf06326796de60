import assert from "node:assert/strict";
import { isClaimStore } from "../../store/claims";
import type { GroupContext } from "../group-context";

/**
 * Claims (`ClaimStore`, optional): one holder at a time, a lease that runs out when not
 * renewed, done kept for `keepMs`, release, the deadline fence. A store without the capability
 * passes trivially. Two holders on one store stand for two processes on one backend.
 */
export function claimsGroup({ it, sleep }: GroupContext): void {
  it("one holder at a time: claimed, held (naming the holder), its own claim renewed, done after finish", async (store, p) => {
    if (!isClaimStore(store)) return;
    const key = `${p}update:1`;
    const a = { holder: "a", leaseMs: 60_000 };
    const b = { holder: "b", leaseMs: 60_000 };
    assert.deepEqual(await store.claim(key, a), { state: "claimed" });
    assert.deepEqual(await store.claim(key, b), { state: "held", holder: "a" });
    assert.deepEqual(await store.claim(key, a), { state: "claimed" });
    assert.equal(await store.renewClaim(key, b), false);
    assert.equal(await store.renewClaim(key, a), true);
    assert.equal(await store.releaseClaim(key, { holder: "b" }), false);
    assert.equal(await store.finishClaim(key, { holder: "a", keepMs: 60_000 }), true);
    assert.deepEqual(await store.claim(key, b), { state: "done" });
    assert.deepEqual(await store.claim(key, a), { state: "done" });
    assert.equal(await store.renewClaim(key, a), false);
    assert.equal(await store.releaseClaim(key, { holder: "a" }), false);
    assert.deepEqual(await store.claim(`${p}update:2`, b), { state: "claimed" });
  });

  it("a lease not renewed runs out: another holder takes the claim; the first can no longer renew it", async (store, p) => {
    if (!isClaimStore(store)) return;
    const key = `${p}update:1`;
    assert.deepEqual(await store.claim(key, { holder: "a", leaseMs: 200 }), { state: "claimed" });
    await sleep(400);
    assert.deepEqual(await store.claim(key, { holder: "b", leaseMs: 60_000 }), {
      state: "claimed",
    });
    assert.equal(await store.renewClaim(key, { holder: "a", leaseMs: 60_000 }), false);
    // Finishing late still marks it done, and says it was not the holder's any more.
    assert.equal(await store.finishClaim(key, { holder: "a", keepMs: 60_000 }), false);
    assert.deepEqual(await store.claim(key, { holder: "c", leaseMs: 1000 }), { state: "done" });
  });

  it("a renewed lease outlives its first term; done is kept for keepMs, then the key is free", async (store, p) => {
    if (!isClaimStore(store)) return;
    const key = `${p}update:1`;
    const a = { holder: "a", leaseMs: 1500 };
    assert.deepEqual(await store.claim(key, a), { state: "claimed" });
    await sleep(900);
    assert.equal(await store.renewClaim(key, a), true);
    await sleep(900);
    assert.deepEqual(await store.claim(key, { holder: "b", leaseMs: 1000 }), {
      state: "held",
      holder: "a",
    });
    assert.equal(await store.finishClaim(key, { holder: "a", keepMs: 300 }), true);
    assert.deepEqual(await store.claim(key, { holder: "b", leaseMs: 1000 }), { state: "done" });
    await sleep(500);
    assert.deepEqual(await store.claim(key, { holder: "b", leaseMs: 1000 }), {
      state: "claimed",
    });
  });

  it("release frees the claim at once; a claim call past its deadline changes nothing", async (store, p) => {
    if (!isClaimStore(store)) return;
    const key = `${p}update:1`;
    assert.deepEqual(await store.claim(key, { holder: "a", leaseMs: 60_000 }), {
      state: "claimed",
    });
    assert.equal(await store.releaseClaim(key, { holder: "a" }), true);
    const past = { deadline: Date.now() - 1000 };
    await assert.rejects(() => store.claim(key, { holder: "b", leaseMs: 60_000, ...past }));
    assert.deepEqual(await store.claim(key, { holder: "c", leaseMs: 60_000 }), {
      state: "claimed",
    });
    await assert.rejects(() => store.finishClaim(key, { holder: "c", keepMs: 60_000, ...past }));
    await assert.rejects(() => store.releaseClaim(key, { holder: "c", ...past }));
    await assert.rejects(() => store.renewClaim(key, { holder: "c", leaseMs: 1, ...past }));
    assert.deepEqual(await store.claim(key, { holder: "d", leaseMs: 60_000 }), {
      state: "held",
      holder: "c",
    });
  });

  it("invalid claim arguments throw before anything is sent", async (store, p) => {
    if (!isClaimStore(store)) return;
    const key = `${p}update:1`;
    await assert.rejects(() => store.claim(key, { holder: "", leaseMs: 1000 }), TypeError);
    await assert.rejects(() => store.claim(key, { holder: "a", leaseMs: 0 }), RangeError);
    await assert.rejects(() => store.claim(key, { holder: "a", leaseMs: 1.5 }), RangeError);
    await assert.rejects(() => store.finishClaim(key, { holder: "a", keepMs: -1 }), RangeError);
    await assert.rejects(() => store.claim("", { holder: "a", leaseMs: 1000 }), TypeError);
    assert.deepEqual(await store.claim(key, { holder: "a", leaseMs: 1000 }), { state: "claimed" });
  });
}
