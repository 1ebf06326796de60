import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "./free-port";

export interface RedisServerOptions {
  /** Port to bind on 127.0.0.1; default a free one. Reuse it to restart "the same" server. */
  port?: number;
  /** Extra `redis-server` arguments, e.g. ["--cluster-enabled", "yes"]. */
  args?: string[];
  /** How long to wait for PING to answer, in ms. Default 10 000. */
  readyTimeoutMs?: number;
}

export interface RedisServer {
  port: number;
  host: string;
  url: string;
  dir: string;
  /** Kills the process (SIGKILL: no goodbye to clients) and waits for it to exit. */
  kill(): Promise<void>;
  /**
   * Freezes the process (SIGSTOP): connections stay open and commands sent to it wait in its
   * socket, unanswered, until {@link resume}; a hung server, not a dead one.
   */
  pause(): void;
  /** Lets a paused process run again (SIGCONT); it then runs what it received meanwhile. */
  resume(): void;
  /** Starts a fresh server on the same port (empty data) and waits for PING. */
  restart(): Promise<void>;
  /** Stops the server and removes its temp dir. */
  stop(): Promise<void>;
}

/** Start attempts on a port this module chose (see startRedisServer). */
const START_ATTEMPTS = 3;

/**
 * Starts a real `redis-server` on a free loopback port, with no persistence and its own temp
 * dir, and resolves once PING answers. Never touches 6379.
 */
export async function startRedisServer(options: RedisServerOptions = {}): Promise<RedisServer> {
  let port = options.port ?? (await freePort());
  const dir = await mkdtemp(join(tmpdir(), "am-redis-"));
  let child: ChildProcess | undefined;

  const launch = async () => {
    const running = spawn(
      "redis-server",
      [
        "--port",
        String(port),
        "--bind",
        "127.0.0.1",
        "--save",
        "",
        "--appendonly",
        "no",
        "--dir",
        dir,
        "--daemonize",
        "no",
        "--loglevel",
        "warning",
        ...(options.args ?? []),
      ],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    child = running;
    // Without a logfile redis logs to stdout: a start-up failure ("Address already in use")
    // is said there.
    let output = "";
    const keep = (chunk: Buffer) => {
      output = (output + chunk.toString("utf8")).slice(-4_000);
    };
    running.stdout?.on("data", keep);
    running.stderr?.on("data", keep);
    const exited = new Promise<never>((_, reject) => {
      running.once("exit", (code) =>
        reject(new Error(`redis-server on port ${port} exited (${code}): ${output.trim()}`)),
      );
      running.once("error", reject);
    });
    exited.catch(() => {});
    await Promise.race([waitForPing(port, options.readyTimeoutMs ?? 10_000), exited]);
  };

  const kill = async () => {
    const running = child;
    child = undefined;
    if (!running || running.exitCode !== null || running.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      running.once("exit", () => resolve());
      running.kill("SIGKILL");
    });
  };

  const signal = (name: NodeJS.Signals) => {
    if (!child || child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`redis-server on port ${port} is not running (${name})`);
    }
    child.kill(name);
  };

  // A port we chose may be taken by another process before redis binds it: try another.
  for (let attempt = 1; ; attempt++) {
    try {
      await launch();
      break;
    } catch (error) {
      await kill();
      if (options.port !== undefined || attempt >= START_ATTEMPTS) {
        await rm(dir, { recursive: true, force: true });
        throw error;
      }
      port = await freePort();
    }
  }
  return {
    port,
    host: "127.0.0.1",
    url: `redis://127.0.0.1:${port}`,
    dir,
    kill,
    pause: () => signal("SIGSTOP"),
    resume: () => signal("SIGCONT"),
    restart: async () => {
      await kill();
      await launch();
    },
    stop: async () => {
      await kill();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Resolves when `PING` gets `+PONG` on 127.0.0.1:port; retries every 20 ms. */
export async function waitForPing(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await pingOnce(port)) return;
    if (Date.now() > deadline)
      throw new Error(`redis on port ${port} did not answer PING in ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function pingOnce(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: "127.0.0.1" });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => done(false));
    socket.once("error", () => done(false));
    socket.once("connect", () => socket.write("PING\r\n"));
    socket.once("data", (data) => done(data.toString().startsWith("+PONG")));
  });
}
