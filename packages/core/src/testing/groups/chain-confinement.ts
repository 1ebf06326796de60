import assert from "node:assert/strict";
import type { AgentInputItem } from "@openai/agents";
import { CHAIN_WALK_SLACK, chainLinkElement, parseChainLink } from "../../store/chain-link";
import type { SessionStore } from "../../store/contract";
import { readStoredWindow } from "../../store/stored-json";
import type { GroupContext } from "../group-context";
import { userItem } from "../items";
import { rawHistory } from "../raw-access";
import { rk, TEST_CHAT_ID } from "../reply-keys";

/*
 * Links planted in the store (as a bug or a compromised writer would leave them): a link is
 * followed only to a reply key of the same chat under the same prefix, with a positive integer
 * take; anything else ends the history there, is reported as a gap, and the key it names is
 * never read, linked to, or given a longer TTL. A chain of keys holding only a link ends after
 * CHAIN_WALK_SLACK of them. Every store, every layout: the copy layout reads a chain it finds.
 */

const secret = userItem("chat B's secret");
const own = userItem("chat A's own");
const json = (item: AgentInputItem) => JSON.stringify(item);

/** A reply session's turn on `parent`: its window (maxItems 50), forked under `child`. */
async function replyTo(store: SessionStore, parent: string, child: string): Promise<void> {
  const read = await readStoredWindow(store, parent, 50);
  await store.fork(parent, [child], [userItem("next")], {
    maxItems: 50,
    ttlSeconds: 3600,
    parentItems: read.items,
    parentElements: read.elements,
  });
}

export function chainConfinementGroup({ it, raw, cluster }: GroupContext): void {
  // Where a link in chat A's reply key may point, and why each is refused.
  const foreign: { name: string; key: (p: string) => string; reason: string }[] = [
    { name: "another chat's reply key", key: (p) => rk(p, "b", 999), reason: "other-chat" },
    {
      name: "a reply key under another prefix",
      key: (p) => `${p}other:1:${TEST_CHAT_ID}`,
      reason: "other-prefix",
    },
    { name: "a key that is no reply key", key: (p) => `${p}secret`, reason: "not-a-reply-key" },
  ];

  for (const target of foreign) {
    it(`a link to ${target.name} is refused, never followed nor touched`, async (store, p) => {
      const b = target.key(p);
      const a = rk(p, "a");
      await raw.plant(b, { type: "list", elements: [json(secret)] }, 1800);
      await raw.plant(a, {
        type: "list",
        elements: [chainLinkElement({ take: 5, parent: b }), json(own)],
      });
      assert.deepEqual(await store.read(a), [own]);
      assert.deepEqual(await store.read(a, 3), [own]);
      const stored = await store.readStored?.(a, 3);
      if (stored?.gap) {
        assert.equal(stored.gap.kind, "refused");
        assert.equal(stored.gap.at, a);
        assert.equal(stored.gap.detail, target.reason);
      }
      // A's next reply holds A's part only, and never links to B.
      await replyTo(store, a, rk(p, "c"));
      assert.deepEqual(await store.read(rk(p, "c")), [own, userItem("next")]);
      const c = await raw.elements(rk(p, "c"));
      assert.notEqual(parseChainLink(c[0])?.parent, b, "the reply links to B");
      assert.ok(!(await rawHistory(raw, rk(p, "c"))).includes(json(secret)));
      // B is as it was: same items, TTL not raised.
      assert.deepEqual(await raw.elements(b), [json(secret)]);
      const ttl = await raw.ttlSeconds(b);
      assert.ok(ttl > 0 && ttl <= 1800, `B's TTL stays at most 1800 s, got ${ttl}`);
    });
  }

  it("a reply key of another chat that holds only a link back is refused at the first hop", async (store, p) => {
    const a0 = rk(p, "a0");
    const b = rk(p, "b", 999);
    const a = rk(p, "a");
    await raw.plant(a0, { type: "list", elements: [json(userItem("a0"))] });
    await raw.plant(b, { type: "list", elements: [chainLinkElement({ take: 9, parent: a0 })] });
    await raw.plant(a, {
      type: "list",
      elements: [chainLinkElement({ take: 9, parent: b }), json(own)],
    });
    assert.deepEqual(await store.read(a), [own]);
  });

  for (const [name, link] of [
    ["take 0", '{"type":"agents_memory.link","take":0,"parent":"PARENT"}'],
    ["a negative take", '{"type":"agents_memory.link","take":-2,"parent":"PARENT"}'],
    ["a take that is not an integer", '{"type":"agents_memory.link","take":1.5,"parent":"PARENT"}'],
    ["a take that is a string", '{"type":"agents_memory.link","take":"2","parent":"PARENT"}'],
  ] as const) {
    it(`a link with ${name} is refused and reported, not silently dropped`, async (store, p) => {
      const parent = rk(p, "parent");
      const a = rk(p, "a");
      await raw.plant(parent, { type: "list", elements: [json(userItem("p0"))] });
      await raw.plant(a, { type: "list", elements: [link.replace("PARENT", parent), json(own)] });
      assert.deepEqual(await store.read(a), [own]);
      const stored = await store.readStored?.(a);
      if (stored?.gap) {
        assert.equal(stored.gap.kind, "refused");
        assert.equal(stored.gap.detail, "bad-take");
      }
    });
  }

  it("a malformed link element is refused, never read as an item", async (store, p) => {
    const a = rk(p, "a");
    await raw.plant(a, {
      type: "list",
      elements: ['{"type":"agents_memory.link",broken', json(own)],
    });
    assert.deepEqual(await store.read(a), [own]);
    const stored = await store.readStored?.(a);
    if (stored?.gap)
      assert.deepEqual([stored.gap.kind, stored.gap.detail], ["refused", "bad-link"]);
  });

  /** `count` keys holding only a link (take 1e9), each to the one before, above `bottom`. */
  async function linkOnlyChain(p: string, count: number): Promise<string> {
    let parent = rk(p, "bottom");
    await raw.plant(parent, { type: "list", elements: [json(userItem("bottom"))] });
    for (let i = 0; i < count; i++) {
      const key = rk(p, `l${i}`);
      await raw.plant(key, {
        type: "list",
        elements: [chainLinkElement({ take: 1e9, parent })],
      });
      parent = key;
    }
    return parent;
  }

  it(`a chain of ${CHAIN_WALK_SLACK} keys holding only a link still reads whole`, async (store, p) => {
    // On a Cluster the planted keys sit in different slots: no script may walk them.
    if (cluster) return;
    const top = await linkOnlyChain(p, CHAIN_WALK_SLACK);
    assert.deepEqual(await store.read(top, 5), [userItem("bottom")]);
    assert.equal((await store.readStored?.(top, 5))?.gap, undefined);
  });

  it("a longer chain of keys holding only a link stops early, says so, and forks clean", async (store, p) => {
    const top = await linkOnlyChain(p, CHAIN_WALK_SLACK + 40);
    assert.deepEqual(await store.read(top, 5), []);
    assert.deepEqual(await store.read(top), []);
    const stored = await store.readStored?.(top, 5);
    if (stored?.gap) assert.equal(stored.gap.kind, "deep");
    await replyTo(store, top, rk(p, "c"));
    assert.deepEqual(await store.read(rk(p, "c")), [userItem("next")]);
    // The keys the walk gave up on keep their TTL (none here): nothing was touched.
    assert.equal(await raw.ttlSeconds(rk(p, "bottom")), -1);
  });
}
