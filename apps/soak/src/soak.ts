/**
 * One soak run: the local Telegram and OpenAI servers, the store, the built bot; the users'
 * traffic and the fault schedule on one clock; ghost-write checkpoints; the bot's RSS before
 * and after. Everything listens on 127.0.0.1 only.
 */

import { type ResponsesServer, startResponsesServer } from "@agents-memory/test-servers/openai";
import { startTelegramServer, type TelegramServer } from "@agents-memory/test-servers/telegram";
import { type Backend, startBackend } from "./backend";
import { type BotProcess, startBot } from "./bot-process";
import { type PhaseName, runFaults } from "./faults";
import { GhostCheck, type GhostReport, OutcomeLog, type TurnOutcome } from "./ghosts";
import type { SoakPlan } from "./plan";
import { runTraffic, type Turn } from "./traffic";

/** The history TTL the bot runs with; the ghost check reads each write's time from it. */
const TTL_SECONDS = 86_400;

export interface SoakResult {
  plan: SoakPlan;
  turns: Turn[];
  outcomes: Map<Turn, TurnOutcome>;
  /** How many answered lines carried each message text. */
  botMessages: Map<string, number>;
  ghosts: GhostReport;
  /** Keys in the store at the end (every history the bot wrote since the restart, and ghosts). */
  keysAtEnd: number;
  rssBeforeKb: number;
  rssAfterKb: number;
  /** What the fault schedule did, in ms since the traffic started. */
  events: Array<{ atMs: number; text: string }>;
  durationMs: number;
  /** Log lines at error level or above, by message. */
  errorLines: Map<string, number>;
}

/** Stops what a run started; safe to call more than once (a watchdog may call it mid-run). */
export type Cleanup = () => Promise<void>;

export async function runSoak(
  plan: SoakPlan,
  onCleanup: (cleanup: Cleanup) => void,
): Promise<SoakResult> {
  let tg: TelegramServer | undefined;
  let ai: ResponsesServer | undefined;
  let backend: Backend | undefined;
  let bot: BotProcess | undefined;
  let stopped: Promise<void> | undefined;
  const cleanup: Cleanup = () => {
    stopped ??= (async () => {
      await bot?.stop();
      await Promise.allSettled([tg?.close(), ai?.close(), backend?.stop()]);
    })();
    return stopped;
  };
  onCleanup(cleanup);
  try {
    [tg, ai, backend] = await Promise.all([
      startTelegramServer(),
      startResponsesServer(),
      startBackend(plan.store),
    ]);
    bot = await startBot({
      BOT_TOKEN: tg.token,
      TELEGRAM_API_ROOT: tg.apiRoot,
      OPENAI_API_KEY: ai.apiKey,
      OPENAI_BASE_URL: ai.baseURL,
      LOG_LEVEL: "info",
      CACHE_TTL_SECONDS: String(TTL_SECONDS),
      ...backend.env,
    });
    const rssBeforeKb = await bot.rssKb();

    const startedAt = Date.now();
    let phase: PhaseName = "before";
    const events: SoakResult["events"] = [];
    const turns: Turn[] = [];
    const log = new OutcomeLog(bot.logs);
    const ghosts = new GhostCheck(turns, log, (keys) => backend!.writtenAt(keys, TTL_SECONDS));
    const trafficDone = runTraffic({
      tg,
      plan,
      startedAt,
      phase: () => phase,
      hardDeadline: startedAt + plan.trafficMs + 5_000,
      turns,
    });
    // The traffic keeps running whatever the faults do; a fault step that fails ends the run.
    const faultsDone = runFaults(plan, backend.target, startedAt, {
      phase: (name) => {
        phase = name;
      },
      checkpoint: (name) => ghosts.checkpoint(name),
      wiped: () => ghosts.wiped(),
      event: (text) => events.push({ atMs: Date.now() - startedAt, text }),
    });
    await Promise.all([trafficDone, faultsDone]);
    phase = "after";

    // The answered line follows the answer (the history is written after the reply exists).
    // (A line still missing then is reported per turn as "no log line".)
    await until(() => {
      log.update();
      return turns.every((t) => t.answer === undefined || log.outcome(t).loggedAt !== undefined);
    }, 10_000);
    // A write released late (a resumed server, a replayed command) has had time to land.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    await ghosts.checkpoint("at the end");

    const result: SoakResult = {
      plan,
      turns,
      outcomes: new Map(turns.map((turn) => [turn, log.outcome(turn)])),
      botMessages: log.messageCounts(),
      ghosts: ghosts.report(),
      keysAtEnd: await backend.keyCount(),
      rssBeforeKb,
      rssAfterKb: await bot.rssKb(),
      events,
      durationMs: Date.now() - startedAt,
      errorLines: errorLines(bot),
    };
    return result;
  } finally {
    await cleanup();
  }
}

/** Polls `check` every 50 ms until it holds or `timeoutMs` passed; whether it held. */
async function until(check: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return true;
}

function errorLines(bot: BotProcess): Map<string, number> {
  const counts = new Map<string, number>();
  for (const line of bot.logs) {
    if (line.level >= 50) counts.set(line.msg, (counts.get(line.msg) ?? 0) + 1);
  }
  return counts;
}
