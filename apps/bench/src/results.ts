import type { BenchConfig } from "./config";
import type { RowId } from "./rows/row";

/** One row in one cell. */
export interface RowResult {
  turns: number;
  seconds: number;
  turnsPerSec: number;
  p50Ms: number;
  p99Ms: number;
  meanMs: number;
  /** Requests per turn a client sent to Redis (MONITOR calibration; MULTI…EXEC = 1). */
  roundTripsPerTurn: number;
  /** Requests per turn on the row's HTTP server (row 5: the Upstash protocol server). */
  httpRequestsPerTurn?: number;
  /** Commands Redis executed per turn (`INFO commandstats`, script-internal calls included). */
  commandsPerTurn: number;
  /** Bytes the server read per turn (`total_net_input_bytes`): what the client wrote. */
  bytesInPerTurn: number;
  /** Bytes the server wrote per turn (`total_net_output_bytes`): what the client read. */
  bytesOutPerTurn: number;
  /** CPU time redis-server spent per turn, in µs (`INFO cpu` used_cpu_user + used_cpu_sys). */
  serverCpuMicrosPerTurn: number;
  /** Row 5: HTTP request and response bytes per turn, as its server counted them. */
  httpBytesInPerTurn?: number;
  httpBytesOutPerTurn?: number;
  /** Calls per command name per turn. */
  callsPerTurn: Record<string, number>;
  /** The requests of one turn, in order (`evalsha <sha>`, `get`, …). */
  requestSignature: string[];
  /** Redis memory per conversation of `conversationTurns` turns (used_memory delta / N). */
  memoryPerConversationBytes?: number;
  keysPerConversation?: number;
}

export interface CellResult {
  window: number;
  itemBytes: number;
  concurrency: number;
  rows: Partial<Record<RowId, RowResult>>;
}

export interface MemoryResult {
  window: number;
  itemBytes: number;
  conversations: number;
  rows: Partial<Record<RowId, { bytesPerConversation: number; keysPerConversation: number }>>;
}

export interface RowInfo {
  id: RowId;
  number: number;
  title: string;
  available: boolean;
  note?: string;
  reason?: string;
}

export interface Check {
  name: string;
  /** true met, false not met, null could not be evaluated (e.g. a row unavailable). */
  met: boolean | null;
  detail: string;
}

export interface BenchResults {
  meta: {
    date: string;
    mode: BenchConfig["mode"];
    command: string;
    node: string;
    redisVersion: string;
    cpus: number;
    cpuModel: string;
    platform: string;
    durationSeconds: number;
    /** 1-minute load average when the run started and when it ended (other work on the box). */
    loadAverage: { start: number; end: number };
    config: BenchConfig;
  };
  rows: RowInfo[];
  cells: CellResult[];
  memory: MemoryResult[];
  bars: Check[];
  sanity: Check[];
}

/** Rows 1-5 as the issue numbers them; row 6 is the reference that bounds the overhead bar. */
export const ROW_ORDER: RowId[] = [
  "agents-memory",
  "legacy",
  "ceiling",
  "langchain",
  "upstash",
  "ceiling-parsed",
];

export function rowNumber(id: RowId): number {
  return ROW_ORDER.indexOf(id) + 1;
}
