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
  /** Conversations measured per row on a copy layout (rows 2, 4, 7). */
  conversations: number;
  /** Conversations measured per row on the chained layout (rows 1, 3, 5, 6): more, as each holds less. */
  chainedConversations: number;
  /**
   * The data floor: the bytes of the items one conversation holds, once (its starting history
   * and every turn's new items, as stored JSON).
   */
  floorBytes: number;
  rows: Partial<Record<RowId, { bytesPerConversation: number; keysPerConversation: number }>>;
}

/** A read of the newest `window` items at the end of a short and of a long conversation. */
export interface ChainReadResult {
  window: number;
  itemBytes: number;
  /** Turns of the short conversation: the first whose window is full (at least 25). */
  shortTurns: number;
  longTurns: number;
  /** Median µs per read (`readStoredWindow`, as `ReplySession` reads), over `reads` each. */
  shortMicros: number;
  longMicros: number;
  reads: number;
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
  /** Row 1's chained read at the end of a short and of a long conversation, per cell. */
  chainReads: ChainReadResult[];
  bars: Check[];
  /** Figures reported beside the bars, with no bar of their own. */
  reported: { name: string; detail: string }[];
  sanity: Check[];
}

/**
 * Rows 1-5 as the issue numbers them; row 6 is the reference for client overhead (row 1 /
 * row 6, reported with no bar); row 7 is row 1 on the copy layout, for comparison.
 */
export const ROW_ORDER: RowId[] = [
  "agents-memory",
  "legacy",
  "ceiling",
  "langchain",
  "upstash",
  "ceiling-parsed",
  "agents-memory-copy",
];

export function rowNumber(id: RowId): number {
  return ROW_ORDER.indexOf(id) + 1;
}
