/** The built bot (`node dist/main.js`) as a child process: its JSON log lines, its RSS, its stop. */

import { type ChildProcess, execFile, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

/** One pino line of the bot's log: `msg`, `level`, `time` (ms since the epoch) and its fields. */
export interface LogLine {
  level: number;
  time: number;
  msg: string;
  [field: string]: unknown;
}

export interface BotProcess {
  pid: number;
  /** Every JSON log line so far, in order. */
  logs: LogLine[];
  /** The last `chars` characters of stderr (start-up failures, crashes). */
  stderrTail(chars?: number): string;
  /** Resident set size of the process, in kB (/proc/<pid>/status on Linux, else `ps`). */
  rssKb(): Promise<number>;
  /** Resolves with the first matching line; rejects after timeoutMs or when the bot exits. */
  waitForLog(predicate: (line: LogLine) => boolean, timeoutMs: number): Promise<LogLine>;
  /** SIGTERM (the bot finishes its turns in flight), SIGKILL after timeoutMs; the exit. */
  stop(timeoutMs?: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGKILL at once (a crash: nothing finishes); the exit. */
  kill(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * The bot's entry point, from its package's `main` (not a `bin`: pnpm would try to link it
 * before the bot is built, and warn on every fresh install); throws when it has not been built.
 */
export function botMain(): string {
  const require = createRequire(import.meta.url);
  const manifest = require.resolve("@agents-memory/bot/package.json");
  const entry = JSON.parse(readFileSync(manifest, "utf8")).main as string;
  const main = join(dirname(manifest), entry);
  if (!existsSync(main)) {
    throw new Error(
      `the bot is not built (${main} is missing): run \`pnpm soak\`, which builds it`,
    );
  }
  return main;
}

/**
 * Starts the bot with only `env` (plus PATH and HOME), in an empty working directory so no
 * developer `.env` leaks in, and resolves once it logs "bot started".
 */
export async function startBot(
  env: Record<string, string>,
  readyTimeoutMs = 20_000,
): Promise<BotProcess> {
  const cwd = mkdtempSync(join(tmpdir(), "am-soak-bot-"));
  const child = spawn(process.execPath, [botMain()], {
    cwd,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? cwd, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const bot = watch(child);
  try {
    await bot.waitForLog((line) => line.msg === "bot started", readyTimeoutMs);
  } catch (error) {
    await bot.stop();
    throw error;
  }
  return bot;
}

function watch(child: ChildProcess): BotProcess {
  const logs: LogLine[] = [];
  let stderr = "";
  let rest = "";
  const listeners = new Set<() => void>();
  const notify = () => {
    for (const listener of [...listeners]) listener();
  };
  child.stdout!.setEncoding("utf8").on("data", (chunk: string) => {
    const lines = (rest + chunk).split("\n");
    rest = lines.pop() ?? "";
    for (const line of lines) {
      if (!line.startsWith("{")) continue;
      try {
        logs.push(JSON.parse(line));
      } catch {
        // Not a log line (nothing else is written to stdout in Telegram mode).
      }
    }
    notify();
  });
  child.stderr!.setEncoding("utf8").on("data", (chunk: string) => {
    stderr = (stderr + chunk).slice(-20_000);
  });
  let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  const exited = new Promise<NonNullable<typeof exit>>((resolve) => {
    child.once("exit", (code, signal) => {
      exit = { code, signal };
      setImmediate(() => {
        resolve(exit!);
        notify();
      });
    });
  });
  const stderrTail = (chars = 2_000) => stderr.slice(-chars);

  return {
    pid: child.pid!,
    logs,
    stderrTail,
    async rssKb() {
      try {
        const status = await readFile(`/proc/${child.pid}/status`, "utf8");
        const kb = /^VmRSS:\s+(\d+) kB$/m.exec(status)?.[1];
        if (kb) return Number(kb);
      } catch {
        // Not Linux: ask ps.
      }
      const { stdout } = await run("ps", ["-o", "rss=", "-p", String(child.pid)]);
      return Number(stdout.trim());
    },
    waitForLog: (predicate, timeoutMs) =>
      new Promise((resolve, reject) => {
        const finish = (action: () => void) => {
          clearTimeout(timer);
          listeners.delete(check);
          action();
        };
        const check = () => {
          const line = logs.find(predicate);
          if (line) finish(() => resolve(line));
          else if (exit) {
            finish(() =>
              reject(new Error(`the bot exited (${JSON.stringify(exit)}):\n${stderrTail()}`)),
            );
          }
        };
        const timer = setTimeout(
          () =>
            finish(() =>
              reject(new Error(`no such bot log line in ${timeoutMs} ms:\n${stderrTail()}`)),
            ),
          timeoutMs,
        );
        listeners.add(check);
        check();
      }),
    async stop(timeoutMs = 15_000) {
      if (exit) return exit;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
      const info = await exited;
      clearTimeout(timer);
      return info;
    },
    async kill() {
      if (exit) return exit;
      child.kill("SIGKILL");
      return await exited;
    },
  };
}
