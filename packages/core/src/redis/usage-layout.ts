import { TOKEN_USAGE_FIELDS, type TokenUsage, usageFromCounters } from "../store/usage";
import type { RedisCommands } from "./commands";
import { REDIS_SCRIPTS, runScript } from "./script-runner";

/** `UsageStore.addUsage` in one script call (USAGE_ADD), fenced like every write. */
export function addUsageLayout(
  commands: RedisCommands,
  redisKey: string,
  usage: TokenUsage,
  ttlSeconds: number,
  deadline: number,
): Promise<unknown> {
  const pairs = TOKEN_USAGE_FIELDS.flatMap((field) => [field, usage[field]]);
  return runScript(commands, REDIS_SCRIPTS.usageAdd, [redisKey], [deadline, ttlSeconds, ...pairs]);
}

/** `UsageStore.readUsage` in one script call (USAGE_READ). */
export async function readUsageLayout(
  commands: RedisCommands,
  redisKey: string,
): Promise<TokenUsage> {
  const flat = (await runScript(commands, REDIS_SCRIPTS.usageRead, [redisKey], [])) as unknown[];
  const counters: Record<string, unknown> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) counters[String(flat[i])] = flat[i + 1];
  return usageFromCounters(counters);
}
