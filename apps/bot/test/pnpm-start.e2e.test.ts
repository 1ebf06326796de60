import { type ResponsesServer, startResponsesServer } from "@agents-memory/test-servers/openai";
import { startCommand } from "@agents-memory/test-servers/process";
import { startTelegramServer, type TelegramServer } from "@agents-memory/test-servers/telegram";
import { afterAll, beforeAll, expect, test } from "vitest";
import { BOT_DIR } from "./support/bot-process";
import { serverEnv } from "./support/e2e";

let tg: TelegramServer;
let ai: ResponsesServer;
beforeAll(async () => {
  [tg, ai] = await Promise.all([startTelegramServer(), startResponsesServer()]);
});
afterAll(async () => {
  await Promise.all([tg?.close(), ai?.close()]);
});

test("pnpm start on Telegram, then Ctrl-C: the bot stops cleanly, exit 0, no pnpm error", async () => {
  // As an operator runs it: pnpm's script, in its own process group, SIGINT to the whole group.
  const app = startCommand("pnpm", ["--silent", "start"], {
    cwd: BOT_DIR,
    env: { ...serverEnv(tg, ai), STORE_URL: "memory://" },
  });
  try {
    await app.waitFor(/"msg":"bot started"/, 30_000);
    await app.stop("SIGINT");
    expect(await app.exited).toBe(0);
    expect(app.stdout).toMatch(/"msg":"stopped"/);
    expect(app.stderr).not.toMatch(/ELIFECYCLE|ERR_PNPM|Command failed/);
  } finally {
    await app.stop("SIGKILL");
  }
}, 60_000);
