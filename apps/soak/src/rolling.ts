/**
 * The rolling run: two bot instances on one store (one token), each replaced in turn as a
 * rolling deploy does it (the new instance starts, then the old one gets SIGTERM and finishes
 * its turns) while users keep sending and the model takes its time. Every update must be
 * answered exactly once: no answer lost, none sent twice.
 *
 * In webhook mode the local Bot API server delivers each update as Telegram does (retried until
 * a 2xx) to the live instances, round robin, as a reverse proxy would; and the first instance
 * does not get SIGTERM, it crashes (SIGKILL) with turns in flight: their deliveries fail, come
 * again to the other instance, which takes the dead one's claims over once they run out.
 */

import { freePort } from "@agents-memory/test-servers/free-port";
import { type ResponsesServer, startResponsesServer } from "@agents-memory/test-servers/openai";
import { startTelegramServer, type TelegramServer } from "@agents-memory/test-servers/telegram";
import { type Backend, startBackend } from "./backend";
import { type BotProcess, startBot } from "./bot-process";
import type { PhaseName } from "./faults";
import type { SoakPlan, StoreVariant } from "./plan";
import { runTraffic, type Turn } from "./traffic";

export interface RollingPlan {
  mode: "quick" | "full";
  store: StoreVariant;
  /** Polling: both replaced with SIGTERM. Webhook: the first crashes (SIGKILL), see above. */
  transport: "polling" | "webhook";
  chats: number;
  turnsPerChat: number;
  /** Sending is spread over this many ms (longer when the restarts take longer). */
  trafficMs: number;
  /** How long the model takes for each answer, in ms (turns are in flight at each restart). */
  modelDelayMs: number;
  /** Ms after the start at which instance i is replaced (started anew, then SIGTERM). */
  replaceAtMs: [number, number];
  /** A message unanswered this long after the last one was sent counts as lost. */
  answerTimeoutMs: number;
  /** The whole run is abandoned after this many ms. */
  maxRunMs: number;
}

/** The claims' lease in the webhook run: a crashed instance's turns are taken over this soon. */
const CRASH_LEASE_MS = 3_000;
const WEBHOOK_SECRET = "soak-webhook-secret";

export const ROLLING_QUICK: Omit<RollingPlan, "store" | "transport"> = {
  mode: "quick",
  chats: 4,
  turnsPerChat: 6,
  trafficMs: 9_000,
  modelDelayMs: 600,
  replaceAtMs: [2_000, 5_000],
  answerTimeoutMs: 15_000,
  maxRunMs: 90_000,
};

export const ROLLING_FULL: Omit<RollingPlan, "store" | "transport"> = {
  mode: "full",
  chats: 20,
  turnsPerChat: 5,
  trafficMs: 24_000,
  modelDelayMs: 1_500,
  replaceAtMs: [6_000, 14_000],
  answerTimeoutMs: 30_000,
  maxRunMs: 150_000,
};

export interface RollingResult {
  plan: RollingPlan;
  turns: Turn[];
  /** User messages that got more than one answer, with how many. */
  duplicates: Array<{ chatId: number; messageId: number; answers: number }>;
  /** Updates an instance found held or done by another one (the claims at work). */
  handedOver: number;
  /** Claim steps the store failed (answered unclaimed, not marked done), by log message. */
  claimFailures: Map<string, number>;
  events: Array<{ atMs: number; text: string }>;
  durationMs: number;
  /** Log lines at error level or above, by message, over every instance. */
  errorLines: Map<string, number>;
}

export type Cleanup = () => Promise<void>;

export async function runRolling(
  plan: RollingPlan,
  onCleanup: (cleanup: Cleanup) => void,
): Promise<RollingResult> {
  let tg: TelegramServer | undefined;
  let ai: ResponsesServer | undefined;
  let backend: Backend | undefined;
  const instances: BotProcess[] = [];
  let stopped: Promise<void> | undefined;
  const cleanup: Cleanup = () => {
    stopped ??= (async () => {
      await Promise.allSettled(instances.map((bot) => bot.stop()));
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
    ai.respondWith((body) => ({
      delayMs: plan.modelDelayMs,
      // biome-ignore lint/suspicious/noThenProperty: the Responses server's delayed step names it "then"
      then: { text: `echo: ${lastUserText(body.input)}` },
    }));
    const env = {
      BOT_TOKEN: tg.token,
      TELEGRAM_API_ROOT: tg.apiRoot,
      OPENAI_API_KEY: ai.apiKey,
      OPENAI_BASE_URL: ai.baseURL,
      LOG_LEVEL: "info",
      // A store call on a loaded machine can take longer than the default 250 ms; a claim that
      // cannot be taken answers the update unclaimed (it may then come twice, counted below).
      STORE_TIMEOUT_MS: "1000",
      ...backend.env,
    };
    const webhook = plan.transport === "webhook";
    /** The webhook URLs the "reverse proxy" routes to: the live instances'. */
    const routes = new Map<BotProcess, string>();
    const launch = async () => {
      const port = webhook ? await freePort() : 0;
      const transportEnv: Record<string, string> = webhook
        ? {
            BOT_MODE: "webhook",
            WEBHOOK_SECRET,
            WEBHOOK_HOST: "127.0.0.1",
            WEBHOOK_PORT: String(port),
            WEBHOOK_PATH: "/hook",
            WEBHOOK_URL: "https://bot.example.test/hook",
            UPDATE_LEASE_MS: String(CRASH_LEASE_MS),
          }
        : {};
      // A start on a busy machine can take a while; the run is about what happens after it.
      const bot = await startBot({ ...env, ...transportEnv }, 60_000);
      instances.push(bot);
      if (webhook) routes.set(bot, `http://127.0.0.1:${port}/hook`);
      return bot;
    };
    if (webhook) tg.forwardWebhook({ targets: () => [...routes.values()] });
    const live = [await launch(), await launch()];

    const startedAt = Date.now();
    const events: RollingResult["events"] = [];
    const event = (text: string) => events.push({ atMs: Date.now() - startedAt, text });
    let phase: PhaseName = "before";
    const turns: Turn[] = [];
    // One message in flight per chat: a chat's order then holds across instances too.
    const trafficPlan: SoakPlan = {
      mode: plan.mode,
      store: plan.store,
      chats: plan.chats,
      turnsPerChat: plan.turnsPerChat,
      window: 1,
      trafficMs: plan.trafficMs,
      pause: { atMs: 0, forMs: 0 },
      kill: { atMs: 0, downMs: 0 },
      answerTimeoutMs: plan.answerTimeoutMs,
      maxRunMs: plan.maxRunMs,
    };
    let restarting = true;
    const trafficDone = runTraffic({
      tg,
      plan: trafficPlan,
      startedAt,
      phase: () => phase,
      // Users keep sending until both restarts are over, however long a start takes.
      extendWhile: () => restarting,
      hardDeadline: startedAt + plan.maxRunMs - plan.answerTimeoutMs - 10_000,
      turns,
    });
    const unanswered = () => turns.filter((t) => t.answer === undefined).length;
    const restarts = (async () => {
      for (const [index, atMs] of plan.replaceAtMs.entries()) {
        await sleep(startedAt + atMs - Date.now());
        const old = live[index]!;
        const fresh = await launch();
        event(`instance ${index + 1} replaced: a new one (pid ${fresh.pid}) started`);
        // SIGTERM while turns run (up to 3 s for one to be in flight).
        const waitUntil = Date.now() + 3_000;
        while (unanswered() === 0 && Date.now() < waitUntil) await sleep(20);
        const inFlight = unanswered();
        // The proxy stops routing to it (a crashed one's deliveries fail and come again).
        routes.delete(old);
        const crash = webhook && index === 0;
        const exit = crash ? await old.kill() : await old.stop();
        event(
          `old instance ${index + 1} (pid ${old.pid}) got ${crash ? "SIGKILL (a crash)" : "SIGTERM"} with ${inFlight} messages unanswered; exited ${exit.code ?? exit.signal}`,
        );
        live[index] = fresh;
        phase = "restarted";
      }
    })().finally(() => {
      restarting = false;
    });
    await Promise.all([trafficDone, restarts]);
    phase = "after";
    // A second answer, if any, has time to arrive: every instance confirms what it finished.
    await sleep(2_000);

    const replies = new Map<string, number>();
    for (const message of tg.sentMessages()) {
      const to = message.reply_to_message?.message_id;
      if (to === undefined) continue;
      const key = `${message.chat.id}:${to}`;
      replies.set(key, (replies.get(key) ?? 0) + 1);
    }
    const duplicates = turns.flatMap((turn) => {
      const answers = replies.get(`${turn.chatId}:${turn.messageId}`) ?? 0;
      return answers > 1 ? [{ chatId: turn.chatId, messageId: turn.messageId, answers }] : [];
    });
    const logs = instances.flatMap((bot) => bot.logs);
    const errorLines = new Map<string, number>();
    for (const line of logs) {
      if (line.level >= 50) errorLines.set(line.msg, (errorLines.get(line.msg) ?? 0) + 1);
    }
    const claimFailures = new Map<string, number>();
    for (const line of logs) {
      if (
        /^could not (claim|mark the update answered)|claim on the update ran out/.test(line.msg)
      ) {
        claimFailures.set(line.msg, (claimFailures.get(line.msg) ?? 0) + 1);
      }
    }
    return {
      plan,
      turns,
      duplicates,
      claimFailures,
      handedOver: logs.filter(
        (l) =>
          l.msg.startsWith("another process is answering this update") ||
          l.msg.startsWith("update already answered by another process"),
      ).length,
      events,
      durationMs: Date.now() - startedAt,
      errorLines,
    };
  } finally {
    await cleanup();
  }
}

/** The text of the request's last user message (the Responses server's echo does the same). */
function lastUserText(input: unknown): string {
  if (typeof input === "string") return input;
  if (!Array.isArray(input)) return "";
  for (let i = input.length - 1; i >= 0; i--) {
    const item = input[i] as { role?: string; content?: unknown };
    if (item?.role !== "user") continue;
    if (typeof item.content === "string") return item.content;
    if (Array.isArray(item.content)) {
      return item.content.map((part: { text?: string }) => part.text ?? "").join("");
    }
  }
  return "";
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}
