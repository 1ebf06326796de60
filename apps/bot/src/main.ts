import { type SessionStore, StoreShapeError } from "@agents-memory/core";
import { type AgentRuntime, createAgentRuntime } from "./agent";
import { AgentCallback, type BotIdentity } from "./agent-callback";
import {
  type Config,
  ConfigError,
  loadConfig,
  loadEnvFiles,
  parseArgs,
  redactConfig,
  secretsOf,
  USAGE,
} from "./config";
import { type HealthServer, startHealthServer } from "./health/health-server";
import type { HealthSource } from "./health/healthz";
import { startStatsLine } from "./health/stats-line";
import { storeProbe } from "./health/store-probe";
import { TurnStats } from "./health/turn-stats";
import { createLogger, type Logger, scrub } from "./logger";
import { checkStore } from "./store-check";
import { createStore, describeStore } from "./store-from-config";
import { CONSOLE_HELP, startConsole } from "./transports/console";
import { startTelegram } from "./transports/telegram/bot";
import type { Transport } from "./transports/transport";

function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(1);
}

function modelLine(config: Config): string {
  const { model } = config;
  if (model.demo) return "model: demo (offline, not an AI)";
  const where = model.baseURL ? new URL(model.baseURL).host : "api.openai.com";
  return `model: ${model.name} via ${where} (${model.api === "chat" ? "Chat Completions" : "Responses"} API)`;
}

function consoleBanner(config: Config): string {
  const lines = [
    "agents-memory bot — console mode",
    `${modelLine(config)}; store: ${describeStore(config.memory.store)}`,
  ];
  if (config.model.demoReason === "unconfigured") {
    lines.push(
      "",
      "No model is configured, so this runs the offline DEMO model: it is not an AI; it repeats",
      "what you wrote and shows what the bot remembers. To talk to a real model, set (in the",
      "environment or a .env file):",
      "  OPENAI_API_KEY=sk-...                                   OpenAI",
      "  OPENAI_BASE_URL=http://localhost:11434/v1 OPENAI_API=chat OPENAI_MODEL=llama3.2   Ollama",
      "  OPENAI_BASE_URL=http://localhost:8080/v1 OPENAI_API=chat                          llama.cpp",
      "Set BOT_TOKEN to run the bot on Telegram instead.",
    );
  }
  lines.push("", CONSOLE_HELP, "");
  return lines.join("\n");
}

/**
 * Flags, .env files and variables, every problem of all three reported in one message (exit 1).
 * Undefined: --help was asked for.
 */
function readConfig(argv: readonly string[]): Config | undefined {
  const problems: string[] = [];
  const attempt = <T>(step: () => T): T | undefined => {
    try {
      return step();
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      problems.push(...error.problems);
      return undefined;
    }
  };
  const flags = attempt(() => parseArgs(argv));
  if (flags?.help) return undefined;
  attempt(() => loadEnvFiles());
  const config = attempt(() => loadConfig(process.env, flags));
  if (problems.length > 0 || !config) {
    const error = new ConfigError(problems);
    fail(`agents-memory bot: ${error.message}\nSee apps/bot/README.md for every variable.`);
  }
  return config;
}

async function main(): Promise<void> {
  const config = readConfig(process.argv.slice(2));
  if (!config) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }

  const isConsole = config.transport === "console";
  const logger = createLogger({
    level: config.logLevel,
    fd: isConsole ? 2 : 1,
    secrets: secretsOf(config),
    pretty: isConsole && process.stderr.isTTY,
  });
  process.on("unhandledRejection", (reason) => {
    logger.error({ err: reason }, "unhandled rejection");
  });
  for (const warning of config.warnings) logger.warn(warning);
  logger.info({ config: redactConfig(config) }, "configuration loaded");
  if (config.model.demo && !isConsole) {
    logger.warn("OPENAI_MODEL=demo: the bot answers with the offline demo model, not an AI");
  }

  let store: SessionStore | undefined;
  let agent: AgentRuntime | undefined;
  let transport: Transport | undefined;
  let healthServer: HealthServer | undefined;
  const stats = new TurnStats({ interval: config.health.statsIntervalSeconds > 0 });
  const stopStats = startStatsLine(stats, logger, config.health.statsIntervalSeconds);
  const closeAll = async () => {
    stopStats();
    await healthServer?.close();
    await agent
      ?.close()
      .catch((error) => logger.warn({ err: error }, "closing MCP servers failed"));
    await store
      ?.close?.()
      .catch((error) => logger.warn({ err: error }, "closing the store failed"));
  };

  try {
    store = await createStore(config.memory.store, logger, config.memory.timeoutMs);
    // Checked before the first turn: a shape that cannot keep history refuses the start.
    await checkStore(store, logger);
    const health: HealthSource = {
      probe: storeProbe(store, config.memory.keyPrefix, config.memory.timeoutMs),
      recent: () => stats.recent(),
    };
    if (config.health.port !== undefined) {
      healthServer = await startHealthServer(health, {
        host: config.health.host,
        port: config.health.port,
        logger,
      });
    }
    agent = await createAgentRuntime(config, logger);
    const callbackConfig: Config = isConsole
      ? { ...config, bot: { ...config.bot, parseMode: "plain", whitelist: [] } }
      : config;
    const createCallback = (identity: BotIdentity) =>
      new AgentCallback({
        config: callbackConfig,
        store: store!,
        agent: agent!,
        logger,
        identity,
        stats,
      });
    transport = isConsole
      ? startConsole({
          createCallback,
          chatId: config.console.chatId ?? Math.floor(Date.now() / 1000),
          agentCommand: config.bot.commands[0]!,
          banner: consoleBanner(config),
        })
      : await startTelegram({ config, logger, createCallback, health, store });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const refusal = StoreShapeError.isInstance(error)
      ? error.problem
      : isOptionRefusal(error)
        ? "store-options"
        : undefined;
    if (refusal) {
      // One line naming what to change; the stores never put a secret in it.
      logger.fatal({ problem: refusal }, `refusing to start: ${message}`);
      process.stderr.write(`refusing to start: ${scrub(message, secretsOf(config))}\n`);
    } else {
      logger.fatal({ err: error }, "start-up failed");
      if (isConsole) {
        process.stderr.write(`start-up failed: ${scrub(message, secretsOf(config))}\n`);
      }
    }
    await closeAll();
    process.exit(1);
  }

  const running = transport;
  let shuttingDown: Promise<void> | undefined;
  const shutdown = (reason: string) => {
    shuttingDown ??= (async () => {
      logger.info({ reason }, "shutting down: finishing the turns in flight");
      healthServer?.markStopping();
      await running.stop();
      await closeAll();
      logger.info("stopped");
    })();
    return shuttingDown;
  };
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.on(signal, () => {
      if (shuttingDown) {
        logger.warn({ signal }, "second signal: exiting now");
        process.exit(130);
      }
      shutdown(signal).then(
        () => process.exit(0),
        (error) => exitWithError(logger, error),
      );
    });
  }

  try {
    await running.done;
  } catch (error) {
    logger.fatal({ err: error }, "the transport stopped with an error");
    await shutdown("transport error").catch(() => {});
    process.exit(1);
  }
  await shutdown(isConsole ? "end of input" : "transport ended");
  process.exit(0);
}

/**
 * A store that refused its options when built (a URL it cannot use, a value out of range):
 * the stores throw a `TypeError` or `RangeError` whose message starts "[agents-memory]" and
 * says what to change, like a config problem.
 */
function isOptionRefusal(error: unknown): error is Error {
  return (
    (error instanceof TypeError || error instanceof RangeError) &&
    error.message.startsWith("[agents-memory]")
  );
}

function exitWithError(logger: Logger, error: unknown): never {
  logger.fatal({ err: error }, "shutdown failed");
  process.exit(1);
}

main().catch((error) => {
  process.stderr.write(
    `agents-memory bot: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
});
