import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const BOT_DIR = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
export const BOT_MAIN = join(BOT_DIR, "dist/main.js");

export interface LogLine {
  level: number;
  msg: string;
  [field: string]: unknown;
}

export interface BotProcess {
  child: ChildProcess;
  /** JSON log lines (stdout in Telegram mode, stderr in console mode), parsed. */
  logs: LogLine[];
  /** Raw stdout and stderr text. */
  stdout(): string;
  stderr(): string;
  /** Resolves with the first log line matching; rejects after timeoutMs or when the bot exits. */
  waitForLog(predicate: (line: LogLine) => boolean, timeoutMs?: number): Promise<LogLine>;
  /** Resolves when stdout contains text matching (console mode). */
  waitForOutput(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGTERM, then wait for the exit (SIGKILL after timeoutMs). */
  stop(timeoutMs?: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * Runs the bot as users run it (`node dist/main.js`), with only the environment given (plus
 * PATH/HOME), in an empty working directory so no developer `.env` leaks in.
 */
export function spawnBot(
  env: Record<string, string | undefined>,
  options: { args?: string[]; stdin?: "pipe" | "ignore" } = {},
): BotProcess {
  const cwd = mkdtempSync(join(tmpdir(), "am-bot-"));
  const cleanEnv: Record<string, string> = {
    PATH: process.env.PATH ?? "",
    HOME: process.env.HOME ?? cwd,
    INIT_CWD: cwd,
  };
  for (const [key, value] of Object.entries(env)) if (value !== undefined) cleanEnv[key] = value;
  const child = spawn(process.execPath, [BOT_MAIN, ...(options.args ?? [])], {
    cwd,
    env: cleanEnv,
    stdio: [options.stdin ?? "ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  const logs: LogLine[] = [];
  const listeners = new Set<() => void>();
  const notify = () => {
    for (const listener of [...listeners]) listener();
  };
  const collect = (chunk: string, buffer: { rest: string }) => {
    buffer.rest += chunk;
    const lines = buffer.rest.split("\n");
    buffer.rest = lines.pop() ?? "";
    for (const line of lines) {
      if (!line.startsWith("{")) continue;
      try {
        logs.push(JSON.parse(line));
      } catch {}
    }
  };
  const outBuffer = { rest: "" };
  const errBuffer = { rest: "" };
  child.stdout!.setEncoding("utf8").on("data", (chunk: string) => {
    out += chunk;
    collect(chunk, outBuffer);
    notify();
  });
  child.stderr!.setEncoding("utf8").on("data", (chunk: string) => {
    err += chunk;
    collect(chunk, errBuffer);
    notify();
  });
  let exitInfo: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((res) => {
    child.once("exit", (code, signal) => {
      exitInfo = { code, signal };
      // Let the last output chunks arrive before waiters give up.
      setImmediate(() => {
        res(exitInfo!);
        notify();
      });
    });
  });

  const waitUntil = <T>(check: () => T | undefined, timeoutMs: number, what: string) =>
    new Promise<T>((res, rej) => {
      const listener = () => {
        const value = check();
        if (value !== undefined) return done(() => res(value));
        if (exitInfo) {
          done(() =>
            rej(
              new Error(
                `bot exited (${JSON.stringify(exitInfo)}) before ${what}\nstdout:\n${out}\nstderr:\n${err}`,
              ),
            ),
          );
        }
      };
      const timer = setTimeout(
        () =>
          done(() =>
            rej(new Error(`timed out waiting for ${what}\nstdout:\n${out}\nstderr:\n${err}`)),
          ),
        timeoutMs,
      );
      const done = (action: () => void) => {
        clearTimeout(timer);
        listeners.delete(listener);
        action();
      };
      listeners.add(listener);
      listener();
    });

  return {
    child,
    logs,
    stdout: () => out,
    stderr: () => err,
    waitForLog: (predicate, timeoutMs = 10_000) =>
      waitUntil(() => logs.find(predicate), timeoutMs, "a log line"),
    waitForOutput: (pattern, timeoutMs = 10_000) =>
      waitUntil(() => out.match(pattern) ?? undefined, timeoutMs, `output ${pattern}`),
    exited,
    async stop(timeoutMs = 15_000) {
      if (exitInfo) return exitInfo;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
      const info = await exited;
      clearTimeout(timer);
      return info;
    },
  };
}
