import type { Logger } from "../logger";
import type { TurnStats } from "./turn-stats";

/**
 * Logs a `stats` line every `intervalSeconds` (info level) with the interval's turns: answered
 * and failed, answer latency, histories stored / unknown / not stored, reads by outcome, and
 * the store calls' latency. Returns a function that stops it. 0 seconds: no line at all.
 */
export function startStatsLine(
  stats: TurnStats,
  logger: Logger,
  intervalSeconds: number,
): () => void {
  if (intervalSeconds <= 0) return () => {};
  const timer = setInterval(() => {
    logger.info({ interval_s: intervalSeconds, ...stats.takeInterval() }, "stats");
  }, intervalSeconds * 1000);
  timer.unref();
  return () => clearInterval(timer);
}
