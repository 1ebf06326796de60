import { StoreSession, silentLogger } from "@agents-memory/core";
import { assistantItem, userItem } from "@agents-memory/core/testing";
import type { AgentInputItem } from "@openai/agents";
import { afterAll, describe, expect, test } from "vitest";
import { flavors, prefix, startBackend } from "./__fixtures__/setup";

// @upstash/redis JSON-parses every string it receives by default: a stored "42" comes back as
// the number 42. The store reads exact strings whatever the client's setting, so a message
// whose text looks like JSON comes back as it was written.
const backend = await startBackend();
afterAll(() => backend.stop());

const lookalikes = ["42", "true", "null", "{}", "[1,2]", " 7 ", "", "OK", "T0s=", "1e3", "-0"];
const opts = { maxItems: 50, ttlSeconds: 600 };

describe.each(flavors)("$name", (flavor) => {
  test("messages whose text is JSON-like round-trip unchanged (replace, append, fork, pop)", async () => {
    const p = prefix("values");
    const store = flavor.make(backend.upstash);
    const items: AgentInputItem[] = lookalikes.flatMap((text) => [
      userItem(text),
      assistantItem(text),
    ]);
    await store.replace(`${p}r`, items, 600);
    expect(await store.read(`${p}r`)).toEqual(items);
    await store.append(`${p}a`, items, opts);
    expect(await store.read(`${p}a`)).toEqual(items);
    const parent = await store.read(`${p}r`);
    await store.fork(`${p}r`, [`${p}f`], [userItem("42")], { ...opts, parentItems: parent });
    expect(await store.read(`${p}f`)).toEqual([...items, userItem("42")].slice(-50));
    expect(await store.pop(`${p}r`)).toEqual(assistantItem("-0"));
    // What Redis holds is the JSON of each item, exactly as JSON.stringify wrote it.
    expect(await backend.direct.lrange(`${p}a`, 0, -1)).toEqual(
      items.map((item) => JSON.stringify(item)),
    );
  });

  test("through a StoreSession", async () => {
    const store = flavor.make(backend.upstash);
    const session = new StoreSession({ store, key: `${prefix("session")}k`, logger: silentLogger });
    const items = ["42", "true", "null", "{}"].map((text) => userItem(text));
    await session.addItems(items);
    expect(await session.getItems()).toEqual(items);
    expect(await session.popItem()).toEqual(userItem("{}"));
  });
});
