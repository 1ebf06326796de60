import { type ChildProcess, spawn } from "node:child_process";

/** A command started as a user would start it (e.g. `pnpm start` in an example's folder). */
export interface StartedCommand {
  /** Everything written to stdout so far. */
  readonly stdout: string;
  /** Everything written to stderr so far. */
  readonly stderr: string;
  /** Resolves with the exit code (null when killed by a signal). */
  readonly exited: Promise<number | null>;
  /**
   * Resolves with the first match of `pattern` in stdout; rejects after `timeoutMs` (default
   * 15 000) or when the process exits first, with both streams in the message.
   */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /**
   * `signal` (default SIGTERM) to the whole process group (pnpm, the shell, node), as a
   * terminal's Ctrl-C sends SIGINT to it, then waits for the exit.
   */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

export interface CommandOptions {
  cwd: string;
  /** Added to this process's environment. */
  env?: Record<string, string | undefined>;
  /** Written to stdin, which is then closed. */
  input?: string;
}

/** Starts `command args` in its own process group, so {@link StartedCommand.stop} ends it all. */
export function startCommand(
  command: string,
  args: string[],
  options: CommandOptions,
): StartedCommand {
  const child: ChildProcess = spawn(command, args, {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    detached: true,
    stdio: ["pipe", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  const listeners = new Set<() => void>();
  child.stdout!.setEncoding("utf8").on("data", (chunk: string) => {
    stdout += chunk;
    for (const listener of [...listeners]) listener();
  });
  child.stderr!.setEncoding("utf8").on("data", (chunk: string) => {
    stderr += chunk;
  });
  child.stdin!.end(options.input ?? "");
  let done = false;
  const exited = new Promise<number | null>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code) => {
      done = true;
      for (const listener of [...listeners]) listener();
      resolve(code);
    });
  });
  const describe = () => `\n--- stdout\n${stdout}\n--- stderr\n${stderr}`;

  return {
    get stdout() {
      return stdout;
    },
    get stderr() {
      return stderr;
    },
    exited,
    waitFor(pattern, timeoutMs = 15_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const match = pattern.exec(stdout);
          if (match) finish(() => resolve(match));
          else if (done) finish(() => reject(new Error(`exited before ${pattern}${describe()}`)));
        };
        const timer = setTimeout(
          () => finish(() => reject(new Error(`no ${pattern} in ${timeoutMs} ms${describe()}`))),
          timeoutMs,
        );
        const finish = (settle: () => void) => {
          clearTimeout(timer);
          listeners.delete(check);
          settle();
        };
        listeners.add(check);
        check();
      });
    },
    async stop(signal = "SIGTERM") {
      if (!done && child.pid) {
        try {
          process.kill(-child.pid, signal);
        } catch {
          // Already gone.
        }
      }
      await exited;
    },
  };
}

/** Runs a command to its end: its exit code and output. */
export async function runCommand(
  command: string,
  args: string[],
  options: CommandOptions,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const started = startCommand(command, args, options);
  const code = await started.exited;
  return { code, stdout: started.stdout, stderr: started.stderr };
}
