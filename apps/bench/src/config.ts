export interface BenchConfig {
  mode: "full" | "quick";
  windows: number[];
  itemSizes: number[];
  concurrencies: number[];
  /** Only these window x item-size pairs (`--cells`); all of windows x itemSizes when absent. */
  cells?: { window: number; itemBytes: number }[];
  /** Rounds per cell; rows run in turn, in reverse order every other round, to spread drift. */
  rounds: number;
  /** Timed seconds per row and cell, over all rounds. */
  secondsPerRow: number;
  /** At least this many timed turns per row and cell (slow rows run past the time budget). */
  minTurns: number;
  /** A row stops after this many seconds per round even below `minTurns`. */
  maxSecondsPerRound: number;
  /** Untimed turns per chat before the clock starts (script cache, connections), at least. */
  warmupTurns: number;
  /** Untimed seconds of turns before each timed run (JIT), whatever row ran before. */
  warmupSeconds: number;
  /** Turns replayed under MONITOR to count requests. */
  calibrationTurns: number;
  /** Turns per conversation in the memory measurement. */
  conversationTurns: number;
  /** Conversations per memory measurement: about this many bytes of data, within [min, max]. */
  memoryTargetBytes: number;
  memoryConversations: { min: number; max: number };
  /** TTL on every key written, in seconds (long enough that nothing expires mid-run). */
  ttlSeconds: number;
  /** Turns of the long conversation whose read is compared with a short one's (0: skip). */
  chainReadTurns: number;
  /** Timed reads of each conversation in that comparison. */
  chainReads: number;
}

export const FULL: BenchConfig = {
  mode: "full",
  windows: [10, 50, 200],
  itemSizes: [200, 1024, 4096],
  concurrencies: [1, 32],
  rounds: 2,
  secondsPerRow: 2.4,
  minTurns: 200,
  maxSecondsPerRound: 15,
  warmupTurns: 2,
  warmupSeconds: 0.25,
  calibrationTurns: 10,
  conversationTurns: 20,
  memoryTargetBytes: 8 * 1024 * 1024,
  memoryConversations: { min: 2, max: 100 },
  ttlSeconds: 86_400,
  chainReadTurns: 1000,
  chainReads: 300,
};

export const QUICK: BenchConfig = {
  ...FULL,
  mode: "quick",
  windows: [50],
  itemSizes: [1024],
  concurrencies: [1, 32],
  secondsPerRow: 1.2,
  minTurns: 100,
  maxSecondsPerRound: 8,
  calibrationTurns: 5,
  memoryTargetBytes: 4 * 1024 * 1024,
  memoryConversations: { min: 2, max: 20 },
  chainReadTurns: 200,
  chainReads: 100,
};

/** The cell the bars speak of. */
export const OVERHEAD_CELL = { window: 50, itemBytes: 1024, concurrency: 32 };
export const BLOB_CELL = { window: 200, itemBytes: 4096 };
/** The cells whose Redis memory per conversation must stay within 1.5x the data floor. */
export const FLOOR_CELLS = [
  { window: 50, itemBytes: 1024 },
  { window: 200, itemBytes: 4096 },
];
/** The window at which the chained layout's turns/s is compared with the copy layout's. */
export const LAYOUT_WINDOW = 200;
/** The window of the bot's default, at which 25 turns fill it: the chain-read bar's window. */
export const CHAIN_READ_WINDOW = 50;
