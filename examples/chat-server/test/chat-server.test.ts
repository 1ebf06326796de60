import { fileURLToPath } from "node:url";
import { lastUserText, startResponsesServer } from "@agents-memory/test-servers/openai";
import { type StartedCommand, startCommand } from "@agents-memory/test-servers/process";
import { startRedisServer } from "@agents-memory/test-servers/redis";
import { afterAll, expect, test } from "vitest";

/*
 * The example as its README runs it: `pnpm start` with REDIS_URL and the OpenAI variables
 * pointing at the local servers, then HTTP requests like the README's curl commands.
 */

const redis = await startRedisServer();
const openai = await startResponsesServer();
// The model answers with how many user messages it was sent: the history it sees.
openai.respondWith((body) => {
  const users = body.input.filter((item: any) => item.role === "user").length;
  return { text: `${lastUserText(body.input)} (${users} user messages)` };
});
afterAll(async () => {
  await openai.close();
  await redis.stop();
});

const cwd = fileURLToPath(new URL("..", import.meta.url));
async function startServer(): Promise<{ app: StartedCommand; url: string }> {
  const app = startCommand("pnpm", ["start"], {
    cwd,
    env: {
      PORT: "0",
      REDIS_URL: redis.url,
      OPENAI_API_KEY: openai.apiKey,
      OPENAI_BASE_URL: openai.baseURL,
      OPENAI_MODEL: "gpt-test",
      OPENAI_AGENTS_DISABLE_TRACING: "1",
    },
  });
  const [, url] = await app.waitFor(/listening on (http:\/\/\S+)/, 60_000);
  return { app, url: url! };
}

const chat = (url: string, body: unknown) =>
  fetch(`${url}/chat`, { method: "POST", body: JSON.stringify(body) }).then(async (res) => ({
    status: res.status,
    body: (await res.json()) as any,
  }));

test("each user keeps their own conversation, and it survives a restart of the server", async () => {
  const first = await startServer();
  try {
    expect(await chat(first.url, { user: "ann", message: "Hi, I am Ann" })).toEqual({
      status: 200,
      body: { answer: "Hi, I am Ann (1 user messages)" },
    });
    expect((await chat(first.url, { user: "ann", message: "Who am I?" })).body.answer).toBe(
      "Who am I? (2 user messages)",
    );
    // Another user starts from nothing.
    expect((await chat(first.url, { user: "bob", message: "Hello" })).body.answer).toBe(
      "Hello (1 user messages)",
    );
  } finally {
    await first.app.stop();
  }

  const second = await startServer();
  try {
    expect((await chat(second.url, { user: "ann", message: "Still there?" })).body.answer).toBe(
      "Still there? (3 user messages)",
    );
    const history: any = await fetch(`${second.url}/history?user=ann`).then((res) => res.json());
    expect(
      history.items.map((item: any) =>
        typeof item.content === "string" ? item.content : item.content[0].text,
      ),
    ).toEqual([
      "Hi, I am Ann",
      "Hi, I am Ann (1 user messages)",
      "Who am I?",
      "Who am I? (2 user messages)",
      "Still there?",
      "Still there? (3 user messages)",
    ]);
    // What the model was sent on the last turn: the whole history, oldest first.
    expect(openai.requests.at(-1).input.map((item: any) => item.role)).toEqual([
      "user",
      "assistant",
      "user",
      "assistant",
      "user",
    ]);
  } finally {
    await second.app.stop();
  }
});

test("Ctrl-C stops the server cleanly: exit 0, no pnpm error", async () => {
  const { app } = await startServer();
  await app.stop("SIGINT");
  expect(await app.exited).toBe(0);
  expect(app.stderr).not.toMatch(/ERR_PNPM|failed|SIGINT/i);
});

test("bad requests get a 400 that says what is wrong; a failed model call a 500, logged", async () => {
  const { app, url } = await startServer();
  try {
    expect(await chat(url, { user: "a b", message: "hi" })).toEqual({
      status: 400,
      body: { error: "user: 1 to 64 letters, digits, or . _ @ -" },
    });
    expect(await chat(url, { user: "ann" })).toEqual({
      status: 400,
      body: { error: "message: a non-empty string" },
    });
    const notJson = await fetch(`${url}/chat`, { method: "POST", body: "hello" });
    expect(notJson.status).toBe(400);

    openai.script({ error: { status: 400 } });
    const failed = await chat(url, { user: "carol", message: "hi" });
    expect(failed).toEqual({ status: 500, body: { error: "the request failed; try again" } });
    expect(app.stderr).toMatch(/request failed: POST \/chat .*400/s);
  } finally {
    await app.stop();
  }
});
