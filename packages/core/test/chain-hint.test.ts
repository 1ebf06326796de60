import { describe, expect, test } from "vitest";
import { ChainHints, chainHintOf, forkChainRequest } from "../src/redis";

const call = {
  parent: "bot:5:7",
  children: ["bot:6:7"],
  count: 5,
  fingerprint: "f",
  keep: 4,
  ttlSeconds: 60,
  deadline: 0,
  link: "L",
  clock: true,
  clientKeyPrefix: "",
  fresh: ["n"],
};
// The read of bot:5:7 walked 5 (2 items), 4 (2 items), 3 (link only), 2 (2 items), 1 (2 items).
const hint = chainHintOf('{"type":"agents_memory.link"}', [
  "bot:5:7",
  2,
  "bot:4:7",
  2,
  "bot:3:7",
  0,
  "bot:2:7",
  2,
  "bot:1:7",
  2,
])!;

describe("a chained read's hint for the fork", () => {
  test("the fork declares the keys holding the n items, with how many each holds, and no more", () => {
    expect(forkChainRequest(hint, call)).toEqual({
      keys: ["bot:5:7", "bot:6:7", "bot:4:7", "bot:3:7", "bot:2:7"],
      args: [0, 60, 5, "f", 4, "L", 1, '{"type":"agents_memory.link"}', 1, 2, 2, 0, 1, "n"],
    });
  });

  test("no request (the fork writes in full) when the hint is short, of another key, or names a child", () => {
    expect(forkChainRequest(hint, { ...call, count: 9 })).toBeUndefined();
    expect(forkChainRequest(hint, { ...call, parent: "bot:4:7" })).toBeUndefined();
    expect(forkChainRequest(hint, { ...call, children: ["bot:6:7", "bot:4:7"] })).toBeUndefined();
  });

  test("keys as Redis names them lose the client's own prefix (it adds it again)", () => {
    const prefixed = chainHintOf("", ["app:bot:5:7", 3, "app:bot:4:7", 2])!;
    const request = forkChainRequest(prefixed, { ...call, clientKeyPrefix: "app:" });
    expect(request?.keys).toEqual(["bot:5:7", "bot:6:7", "bot:4:7"]);
    expect(forkChainRequest(prefixed, { ...call, clientKeyPrefix: "other:" })).toBeUndefined();
  });

  test("a malformed reply gives no hint; the store keeps the newest 1024", () => {
    expect(chainHintOf("", ["k", "x"])).toBeUndefined();
    expect(chainHintOf("", ["k"])).toBeUndefined();
    const hints = new ChainHints();
    for (let i = 0; i <= 1024; i++) hints.set(`k${i}`, hint);
    expect(hints.get("k0")).toBeUndefined();
    expect(hints.get("k1024")).toBe(hint);
  });
});
