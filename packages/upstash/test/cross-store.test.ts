import { ReplySession, silentLogger } from "@agents-memory/core";
import { assistantItem, userItem } from "@agents-memory/core/testing";
import { IoRedisStore } from "@agents-memory/ioredis";
import type { AgentInputItem } from "@openai/agents";
import { afterAll, expect, test } from "vitest";
import { UpstashStore } from "../src";
import { prefix, startBackend } from "./__fixtures__/setup";

// Same layout, same key semantics: what one store writes the other reads, against one Redis
// (the Upstash store through the local REST server, the ioredis store over TCP).
const backend = await startBackend();
const upstashStore = new UpstashStore({
  url: backend.upstash.url,
  token: backend.upstash.token,
  logger: silentLogger,
});
const ioredisStore = new IoRedisStore({ url: backend.redis.url, logger: silentLogger });
afterAll(async () => {
  await ioredisStore.close();
  await upstashStore.close();
  await backend.stop();
});

const opts = { maxItems: 5, ttlSeconds: 900 };
const items: AgentInputItem[] = [
  userItem("héllo 🎉 \u0000 \n"),
  assistantItem("42"),
  userItem("{}"),
  {
    role: "user",
    content: [{ type: "input_text", text: "parts" }],
    providerData: { z: 1, a: [true, null, 2.5] },
  } as AgentInputItem,
];
const pairs = [
  { name: "ioredis writes, upstash reads", writer: ioredisStore, reader: upstashStore },
  { name: "upstash writes, ioredis reads", writer: upstashStore, reader: ioredisStore },
] as const;

test.each(pairs)(
  "$name: replace, append (trimmed), fork (server-side copy), pop",
  async ({ writer, reader }) => {
    const p = prefix("cross");
    await writer.replace(`${p}r`, items, 900);
    expect(await reader.read(`${p}r`)).toEqual(items);
    expect(await reader.read(`${p}r`, 2)).toEqual(items.slice(-2));

    await writer.append(`${p}r`, [userItem("a1"), userItem("a2")], opts);
    const appended = [...items, userItem("a1"), userItem("a2")].slice(-5);
    expect(await reader.read(`${p}r`)).toEqual(appended);

    // The reader read the parent; the writer forks from what was read, copying server-side.
    const read = await reader.read(`${p}r`);
    await writer.fork(`${p}r`, [`${p}c1`, `${p}c2`], [assistantItem("n")], {
      ...opts,
      parentItems: read,
    });
    for (const child of [`${p}c1`, `${p}c2`]) {
      expect(await reader.read(child)).toEqual([...read, assistantItem("n")].slice(-5));
      expect(await backend.direct.ttl(child)).toBeGreaterThan(800);
    }
    expect(await reader.pop(`${p}c1`)).toEqual(assistantItem("n"));
    expect(await writer.read(`${p}c1`)).toEqual(read.slice(-4));
  },
);

test("both stores write the same bytes for the same items", async () => {
  const p = prefix("bytes");
  await ioredisStore.replace(`${p}io`, items, 900);
  await upstashStore.replace(`${p}up`, items, 900);
  const io = await backend.direct.lrangeBuffer(`${p}io`, 0, -1);
  const up = await backend.direct.lrangeBuffer(`${p}up`, 0, -1);
  expect(up).toEqual(io);
  expect(await backend.direct.type(`${p}up`)).toBe("list");
});

test("a legacy JSON-array string: one store converts it on append, the other reads the result", async () => {
  const p = prefix("legacy");
  // The Python bot's json.dumps: ", " and ": " separators.
  // As the Python bot's to_input_list() wrote them: an assistant message has its parts.
  const legacy =
    '[{"role": "user", "content": "py"}, {"id": "msg_py", "type": "message", "role": "assistant", "status": "completed", "content": [{"type": "output_text", "text": "bot", "annotations": []}]}]';
  await backend.direct.set(`${p}k`, legacy);
  expect(await upstashStore.read(`${p}k`)).toEqual(await ioredisStore.read(`${p}k`));
  await upstashStore.append(`${p}k`, [userItem("new")], opts);
  expect(await backend.direct.type(`${p}k`)).toBe("list");
  expect(await ioredisStore.read(`${p}k`)).toEqual([
    { role: "user", content: "py" },
    {
      id: "msg_py",
      type: "message",
      role: "assistant",
      status: "completed",
      content: [{ type: "output_text", text: "bot", annotations: [] }],
    },
    userItem("new"),
  ]);
});

test("a conversation moves between stores mid-way (ReplySession turns)", async () => {
  const chatId = -100777;
  const turn1 = new ReplySession({ store: ioredisStore, chatId, logger: silentLogger });
  await turn1.addItems([userItem("I am Ann"), assistantItem("Hi Ann")]);
  expect((await turn1.persist([1])).ok).toBe(true);
  const turn2 = new ReplySession({
    store: upstashStore,
    chatId,
    replyToMessageId: 1,
    logger: silentLogger,
  });
  expect(await turn2.getItems()).toEqual([userItem("I am Ann"), assistantItem("Hi Ann")]);
  await turn2.addItems([userItem("Who am I?"), assistantItem("Ann")]);
  expect((await turn2.persist([2])).ok).toBe(true);
  const turn3 = new ReplySession({
    store: ioredisStore,
    chatId,
    replyToMessageId: 2,
    logger: silentLogger,
  });
  expect(await turn3.getItems()).toHaveLength(4);
});
