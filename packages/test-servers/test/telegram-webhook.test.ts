import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { afterEach, beforeEach, expect, test } from "vitest";
import { freePort } from "../src/free-port";
import { startTelegramServer, type TelegramServer } from "../src/telegram";

/** A local webhook receiver whose answer to each request the test decides. */
async function receiver(
  answer: (update: any, res: ServerResponse, req: IncomingMessage) => void,
): Promise<{
  url: string;
  received: any[];
  headers: IncomingMessage["headers"][];
  close(): Promise<void>;
}> {
  const received: any[] = [];
  const headers: IncomingMessage["headers"][] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk) => chunks.push(chunk));
    req.on("end", () => {
      const update = JSON.parse(Buffer.concat(chunks).toString("utf8"));
      received.push(update);
      headers.push(req.headers);
      answer(update, res, req);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}/hook`,
    received,
    headers,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

let tg: TelegramServer;
const closers: Array<() => Promise<void>> = [];

beforeEach(async () => {
  tg = await startTelegramServer();
});

afterEach(async () => {
  await tg.close();
  for (const close of closers.splice(0)) await close();
});

const setWebhook = async (secret = "s3cret") => {
  const response = await fetch(`${tg.apiRoot}/bot${tg.token}/setWebhook`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ url: "https://bot.example.test/hook", secret_token: secret }),
  });
  expect(((await response.json()) as any).result).toBe(true);
};

const ann = { id: 501, first_name: "Ann" };

test("while a webhook is set, updates are POSTed with the secret; one leaves the queue on 2xx", async () => {
  const hook = await receiver((_update, res) => res.writeHead(200).end());
  closers.push(hook.close);
  const deliveries = tg.forwardWebhook({ targets: () => [hook.url] });
  const early = tg.sendUserMessage({ chatId: 1, from: ann, text: "before the webhook" });
  expect(hook.received).toHaveLength(0);
  await setWebhook();
  tg.sendUserMessage({ chatId: 2, from: ann, text: "after" });
  await tg.waitFor((s) => s.pendingUpdates().length === 0 || undefined);
  expect(hook.received.map((u) => u.message.text).sort()).toEqual(["after", "before the webhook"]);
  expect(hook.received.find((u) => u.message.message_id === early.message_id)).toBeDefined();
  expect(hook.headers.every((h) => h["x-telegram-bot-api-secret-token"] === "s3cret")).toBe(true);
  expect(deliveries.map((d) => d.outcome)).toEqual([200, 200]);
});

test("a failed delivery (5xx) is tried again; a chat's later updates wait for it, other chats' do not", async () => {
  let refuse = 2;
  const hook = await receiver((update, res) => {
    if (update.message.chat.id === 1 && refuse > 0) {
      refuse--;
      return void res.writeHead(500).end();
    }
    res.writeHead(200).end();
  });
  closers.push(hook.close);
  const deliveries = tg.forwardWebhook({ targets: () => [hook.url], retryMs: 100 });
  await setWebhook();
  tg.sendUserMessage({ chatId: 1, from: ann, text: "one" });
  tg.sendUserMessage({ chatId: 1, from: ann, text: "two" });
  tg.sendUserMessage({ chatId: 2, from: ann, text: "other chat" });
  await tg.waitFor((s) => s.pendingUpdates().length === 0 || undefined);
  const order = hook.received.map((u) => u.message.text);
  // Chat 1's first update came three times (two 500s); its second only after the first's 200.
  expect(order.filter((text) => text === "one")).toHaveLength(3);
  expect(order.lastIndexOf("one")).toBeLessThan(order.indexOf("two"));
  expect(order.indexOf("other chat")).toBeLessThan(order.lastIndexOf("one"));
  expect(deliveries.filter((d) => d.outcome === 500)).toHaveLength(2);
});

test("nothing listening at the target: the connection is refused, and the update is sent again once something listens", async () => {
  await setWebhook();
  const late = await receiver((_update, res) => res.writeHead(200).end());
  closers.push(late.close);
  const nobody = `http://127.0.0.1:${await freePort()}/hook`;
  let live = false;
  const refused = tg.forwardWebhook({
    targets: () => [live ? late.url : nobody],
    retryMs: 100,
  });
  tg.sendUserMessage({ chatId: 3, from: ann, text: "anyone?" });
  await new Promise((resolve) => setTimeout(resolve, 300));
  live = true;
  await tg.waitFor((s) => s.pendingUpdates().length === 0 || undefined);
  expect(late.received.map((u) => u.message.text)).toEqual(["anyone?"]);
  expect(refused.some((d) => String(d.outcome).startsWith("failed"))).toBe(true);
});

test("a delivery not answered within responseTimeoutMs counts as failed and is sent again", async () => {
  let stall = true;
  const hook = await receiver((_update, res) => {
    if (stall) {
      stall = false;
      return; // never answered
    }
    res.writeHead(200).end();
  });
  closers.push(hook.close);
  const deliveries = tg.forwardWebhook({
    targets: () => [hook.url],
    responseTimeoutMs: 300,
    retryMs: 50,
  });
  await setWebhook();
  tg.sendUserMessage({ chatId: 1, from: ann, text: "slow" });
  await tg.waitFor((s) => s.pendingUpdates().length === 0 || undefined);
  expect(deliveries.map((d) => d.outcome)).toEqual(["no answer", 200]);
});
