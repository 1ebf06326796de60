import type { IncomingMessage, ServerResponse } from "node:http";
import type { StoreProbe } from "./store-probe";
import type { TurnSummary } from "./turn-record";

/** What `/healthz` needs: the store probe, the last minute's turns, and whether the bot stops. */
export interface HealthSource {
  probe(): Promise<StoreProbe>;
  recent(): TurnSummary;
}

/** The body of `/healthz`. */
export interface HealthReport {
  /** `ok` (200); `store_unreachable` or `stopping` (503). */
  status: "ok" | "store_unreachable" | "stopping";
  store: StoreProbe;
  last_minute: TurnSummary;
}

export async function healthReport(source: HealthSource, stopping: boolean): Promise<HealthReport> {
  const store = await source.probe();
  const status = stopping ? "stopping" : store.reachable ? "ok" : "store_unreachable";
  return { status, store, last_minute: source.recent() };
}

/**
 * Answers `GET /healthz` with the {@link HealthReport} as JSON: 200 when the store answers the
 * probe, 503 when it does not (turns then run without memory) or the bot is stopping.
 */
export async function answerHealthz(
  res: ServerResponse,
  source: HealthSource,
  stopping: boolean,
): Promise<void> {
  const report = await healthReport(source, stopping);
  res
    .writeHead(report.status === "ok" ? 200 : 503, {
      "content-type": "application/json; charset=utf-8",
      "cache-control": "no-store",
    })
    .end(JSON.stringify(report));
}

/** True for a request `/healthz` answers (any query string allowed). */
export function isHealthz(req: IncomingMessage): boolean {
  const pathname = new URL(req.url ?? "/", "http://localhost").pathname;
  return pathname === "/healthz" && (req.method === "GET" || req.method === "HEAD");
}
