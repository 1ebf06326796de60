import { CHAIN_LINK_LUA } from "@agents-memory/core/redis";
import { chainLinkElement, followLink } from "@agents-memory/core/store";
import { startRedisWithReader } from "@agents-memory/test-servers/testing";
import { afterAll, expect, test } from "vitest";

/*
 * The link rule is written once in TypeScript (`followLink`) and generated into the Lua every
 * script walks with (`follow` in CHAIN_LINK_LUA): both must give the same verdict for any holder
 * key and link element, on a real redis-server.
 */

const { raw: client, stop } = await startRedisWithReader();
afterAll(stop);

// follow() for each (holder, element) pair in ARGV: {'link', parent, take} | {'end'} | {'refused', reason, parent}.
const VERDICTS = `${CHAIN_LINK_LUA}
local out = {}
for i = 1, #ARGV, 2 do
  local parent, take, named = follow(ARGV[i], ARGV[i + 1])
  if parent == nil then out[#out + 1] = {'end'}
  elseif parent == false then out[#out + 1] = {'refused', take, named}
  else out[#out + 1] = {'link', parent, tostring(take)} end
end
return out`;

function tsVerdict(holder: string, element: string): string[] {
  const step = followLink(holder, element);
  if (step.kind === "end") return ["end"];
  if (step.kind === "refused") return ["refused", step.reason, step.parent ?? ""];
  return ["link", step.link.parent, String(step.link.take)];
}

async function luaVerdicts(pairs: [string, string][]): Promise<string[][]> {
  const reply = (await client.eval(VERDICTS, 0, ...pairs.flat())) as unknown[][];
  return reply.map((row) => row.map(String));
}

test("known cases get the verdicts the rule states", async () => {
  const cases: [string, string, string[]][] = [
    ["bot:2:7", chainLinkElement({ take: 3, parent: "bot:1:7" }), ["link", "bot:1:7", "3"]],
    [
      "app:bot:2:-100",
      chainLinkElement({ take: 1, parent: "app:bot:1:-100" }),
      ["link", "app:bot:1:-100", "1"],
    ],
    [
      "bot:2:7",
      chainLinkElement({ take: 3, parent: "bot:1:8" }),
      ["refused", "other-chat", "bot:1:8"],
    ],
    [
      "bot:2:7",
      chainLinkElement({ take: 3, parent: "app:1:7" }),
      ["refused", "other-prefix", "app:1:7"],
    ],
    [
      "bot:2:7",
      chainLinkElement({ take: 3, parent: "user:7" }),
      ["refused", "not-a-reply-key", "user:7"],
    ],
    [
      "session",
      chainLinkElement({ take: 3, parent: "bot:1:7" }),
      ["refused", "not-a-reply-key", "bot:1:7"],
    ],
    [
      "bot:2:7",
      chainLinkElement({ take: 3, parent: "bot:2:7" }),
      ["refused", "same-key", "bot:2:7"],
    ],
    [
      "bot:2:7",
      chainLinkElement({ take: 0, parent: "bot:1:7" }),
      ["refused", "bad-take", "bot:1:7"],
    ],
    [
      "bot:2:7",
      '{"type":"agents_memory.link","take":2.5,"parent":"bot:1:7"}',
      ["refused", "bad-take", "bot:1:7"],
    ],
    [
      "bot:2:7",
      '{"type":"agents_memory.link","take":1e400,"parent":"bot:1:7"}',
      ["refused", "bad-take", "bot:1:7"],
    ],
    ["bot:2:7", '{"type":"agents_memory.link",nope', ["refused", "bad-link", ""]],
    ["bot:2:7", '{"role":"user","content":"hi"}', ["end"]],
  ];
  const lua = await luaVerdicts(cases.map(([holder, element]) => [holder, element]));
  for (const [index, [holder, element, expected]] of cases.entries()) {
    expect(tsVerdict(holder, element), `TypeScript: ${holder} ${element}`).toEqual(expected);
    expect(lua[index], `Lua: ${holder} ${element}`).toEqual(expected);
  }
});

test("TypeScript and Lua agree on 3,000 generated keys and links", async () => {
  // A seeded generator (the same cases every run) over the pieces keys are made of.
  let seed = 20261204;
  const next = (n: number) => {
    // mulberry32
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) % n;
  };
  const pick = <T>(list: readonly T[]) => list[next(list.length)]!;
  const prefixes = ["bot", "app:bot", "", "a:b", "{t}", "9", "-", "x:1"];
  const ids = ["1", "12", "0", "07", "-3", "x", ""];
  const chats = ["7", "-100", "0", "7x", "-", ""];
  const key = () =>
    next(4) === 0 ? pick(prefixes) : `${pick(prefixes)}:${pick(ids)}:${pick(chats)}`;
  const takes = ["1", "3", "0", "-1", "2.5", "1e9", '"2"', "null", "50"];
  const pairs: [string, string][] = [];
  for (let i = 0; i < 3000; i++) {
    const holder = key();
    // Half the parents are the holder with another message id: the links that may be followed.
    const parent = next(2) === 0 ? holder.replace(/:[^:]*:([^:]*)$/, ":4:$1") : key();
    const take = pick(takes);
    pairs.push([
      holder,
      `{"type":"agents_memory.link","take":${take},"parent":${JSON.stringify(parent)}}`,
    ]);
  }
  const lua = await luaVerdicts(pairs);
  const links = pairs.filter(
    ([holder, element]) => tsVerdict(holder, element)[0] === "link",
  ).length;
  expect(links, "the generator makes followable links too").toBeGreaterThan(50);
  for (const [index, [holder, element]] of pairs.entries()) {
    expect(lua[index], `${holder} ${element}`).toEqual(tsVerdict(holder, element));
  }
});
