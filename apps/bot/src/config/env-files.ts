import { existsSync } from "node:fs";
import { isAbsolute, resolve } from "node:path";
import { ConfigError } from "./config-error";

/**
 * Loads `.env` files without overriding variables already set: `ENV_FILE` if given, else
 * `.env` in the directory the command was started from (`INIT_CWD`, set by pnpm) and in the
 * current directory. Returns the files read.
 */
export function loadEnvFiles(env: NodeJS.ProcessEnv = process.env): string[] {
  const candidates = env.ENV_FILE
    ? [resolve(env.ENV_FILE)]
    : [...new Set([env.INIT_CWD, process.cwd()].filter(Boolean).map((d) => resolve(d!, ".env")))];
  const loaded: string[] = [];
  for (const file of candidates) {
    if (!existsSync(file)) {
      if (env.ENV_FILE) throw new ConfigError([`ENV_FILE: ${file} does not exist`]);
      continue;
    }
    process.loadEnvFile(file);
    loaded.push(file);
  }
  return loaded;
}

/** Relative paths are relative to where the command was started (pnpm runs scripts elsewhere). */
export function resolveFromStartDir(path: string): string {
  return isAbsolute(path) ? path : resolve(process.env.INIT_CWD ?? process.cwd(), path);
}
