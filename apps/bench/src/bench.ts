import { measureChainReads } from "./chain-reads";
import type { BenchConfig } from "./config";
import { Conversation } from "./content";
import type { CellResult, ChainReadResult, MemoryResult, RowInfo, RowResult } from "./results";
import { rowNumber } from "./results";
import { countRoundTrips, type RoundTripCount } from "./round-trips";
import type { Cell, CellPlan, Chat, HttpCounters, Row, RowCell, RowId } from "./rows/row";
import { RowUnavailable } from "./rows/row";
import { itemText } from "./rows/texts";
import { addDelta, delta, type ServerDelta, type ServerProbe } from "./server-stats";

export interface BenchEnv {
  config: BenchConfig;
  redisUrl: string;
  probe: ServerProbe;
  rows: Row[];
  log: (line: string) => void;
}

export interface BenchRun {
  rows: RowInfo[];
  cells: CellResult[];
  memory: MemoryResult[];
  chainReads: ChainReadResult[];
  /** Content checks that failed (a row that wrote the wrong history). */
  failures: string[];
}

/** A chat replying to its previous reply each turn, over a ring of `size` reply keys. */
function ringChat(chatId: number, size = 2): Chat {
  return {
    chatId,
    replyTo: (turn) => (turn % size) + 1,
    reply: (turn) => ((turn + 1) % size) + 1,
  };
}

/** A chat whose every reply is a fresh message (and key): a real conversation. */
function freshChat(chatId: number): Chat {
  return { chatId, replyTo: (turn) => turn + 1, reply: (turn) => turn + 2 };
}

interface TimedRun {
  turns: number;
  wallNs: bigint;
  latenciesNs: number[];
  server: ServerDelta;
  http?: HttpCounters;
}

export async function runBench(env: BenchEnv): Promise<BenchRun> {
  const { config, log } = env;
  const info: RowInfo[] = env.rows.map((row) => ({
    id: row.id,
    number: rowNumber(row.id),
    title: row.title,
    available: true,
    ...(row.note ? { note: row.note } : {}),
  }));
  const failures: string[] = [];
  const conversations = new Map<number, Conversation>();
  const cells: CellResult[] = [];
  const memory: MemoryResult[] = [];
  const chainReads: ChainReadResult[] = [];

  for (const window of config.windows) {
    for (const itemBytes of config.itemSizes) {
      if (
        config.cells &&
        !config.cells.some((c) => c.window === window && c.itemBytes === itemBytes)
      )
        continue;
      let conversation = conversations.get(itemBytes);
      if (!conversation) {
        conversation = new Conversation(itemBytes);
        conversations.set(itemBytes, conversation);
      }
      const plan: CellPlan = { window, ttlSeconds: config.ttlSeconds, conversation };
      const opened = new Map<RowId, RowCell>();
      for (const row of env.rows) {
        const rowInfo = info.find((entry) => entry.id === row.id)!;
        if (!rowInfo.available) continue;
        try {
          opened.set(row.id, await row.open(plan));
        } catch (error) {
          if (!(error instanceof RowUnavailable)) throw error;
          rowInfo.available = false;
          rowInfo.reason = error.message;
          log(`row ${rowInfo.number} (${row.id}) unavailable: ${error.message}`);
        }
      }
      const active = env.rows.filter((row) => opened.has(row.id));

      for (const concurrency of config.concurrencies) {
        const cell: Cell = { window, itemBytes, concurrency };
        const started = Date.now();
        const runs = new Map<RowId, TimedRun[]>();
        for (let round = 0; round < config.rounds; round++) {
          const order = round % 2 === 0 ? active : [...active].reverse();
          for (const row of order) {
            const run = await timedRun(env, opened.get(row.id)!, plan, cell, row.id, failures);
            runs.set(row.id, [...(runs.get(row.id) ?? []), run]);
          }
        }
        const result: CellResult = { window, itemBytes, concurrency, rows: {} };
        for (const row of active) {
          const calibration = await calibrate(env, opened.get(row.id)!);
          result.rows[row.id] = summarize(runs.get(row.id)!, calibration);
        }
        cells.push(result);
        log(
          `cell window=${window} item=${itemBytes}B concurrency=${concurrency}: ` +
            active
              .map((row) => `${row.id} ${result.rows[row.id]!.turnsPerSec.toFixed(0)}/s`)
              .join(", ") +
            ` (${((Date.now() - started) / 1000).toFixed(1)} s)`,
        );
      }

      const floor = floorBytes(conversation, window, config.conversationTurns);
      const memoryResult: MemoryResult = {
        window,
        itemBytes,
        conversations: memoryConversations(config, window, itemBytes),
        floorBytes: floor,
        chainedConversations: chainedConversations(config, floor),
        rows: {},
      };
      for (const row of active) {
        const rowCell = opened.get(row.id)!;
        // A chained row holds about the floor: more conversations, so that a measurement is
        // not lost in the noise of the server's buffers.
        const chained = (rowCell.ringKeys ?? 2) > 2;
        memoryResult.rows[row.id] = await measureMemory(
          env,
          rowCell,
          chained ? memoryResult.chainedConversations : memoryResult.conversations,
        );
      }
      memory.push(memoryResult);
      for (const cell of cells) {
        if (cell.window !== window || cell.itemBytes !== itemBytes) continue;
        for (const [id, figures] of Object.entries(memoryResult.rows)) {
          const rowResult = cell.rows[id as RowId];
          if (!rowResult) continue;
          rowResult.memoryPerConversationBytes = figures.bytesPerConversation;
          rowResult.keysPerConversation = figures.keysPerConversation;
        }
      }
      for (const rowCell of opened.values()) await rowCell.close();
      if (opened.has("agents-memory") && config.chainReadTurns > 0) {
        await env.probe.flush();
        const reads = await measureChainReads(env.redisUrl, {
          window,
          conversation,
          ttlSeconds: config.ttlSeconds,
          longTurns: config.chainReadTurns,
          reads: config.chainReads,
        });
        await env.probe.flush();
        chainReads.push(reads);
        log(
          `chain reads window=${window} item=${itemBytes}B: ${reads.shortMicros.toFixed(0)} µs at turn ${reads.shortTurns}, ${reads.longMicros.toFixed(0)} µs at turn ${reads.longTurns}`,
        );
      }
    }
  }
  return { rows: info, cells, memory, chainReads, failures };
}

async function timedRun(
  env: BenchEnv,
  rowCell: RowCell,
  plan: CellPlan,
  cell: Cell,
  rowId: RowId,
  failures: string[],
): Promise<TimedRun> {
  const { config, probe } = env;
  await probe.flush();
  const chats = Array.from({ length: cell.concurrency }, (_, i) =>
    ringChat(1000 + i, rowCell.ringKeys),
  );
  await Promise.all(chats.map((chat) => rowCell.seed(chat)));
  // Untimed turns first: the row's code is compiled and its connections and scripts are warm
  // before the clock starts, whatever row ran before it. Each chat goes on from its next turn.
  const nextTurn = new Map<Chat, number>();
  const warmupEndNs = process.hrtime.bigint() + BigInt(Math.round(config.warmupSeconds * 1e9));
  await Promise.all(
    chats.map(async (chat) => {
      let turn = 0;
      while (turn < config.warmupTurns || process.hrtime.bigint() < warmupEndNs) {
        await rowCell.turn(chat, turn++);
      }
      nextTurn.set(chat, turn);
    }),
  );

  const budgetNs = BigInt(Math.round((config.secondsPerRow / config.rounds) * 1e9));
  const capNs = BigInt(Math.round(config.maxSecondsPerRound * 1e9));
  const minTurns = Math.ceil(config.minTurns / config.rounds);
  const latenciesNs: number[] = [];
  const lastTurn = new Map<Chat, number>();
  const before = await probe.snapshot();
  const httpBefore = rowCell.http?.();
  const start = process.hrtime.bigint();
  await Promise.all(
    chats.map(async (chat) => {
      let turn = nextTurn.get(chat)!;
      for (;;) {
        const elapsed = process.hrtime.bigint() - start;
        if (elapsed >= capNs) break;
        if (elapsed >= budgetNs && latenciesNs.length >= minTurns) break;
        const t0 = process.hrtime.bigint();
        await rowCell.turn(chat, turn);
        latenciesNs.push(Number(process.hrtime.bigint() - t0));
        lastTurn.set(chat, turn);
        turn++;
      }
    }),
  );
  const wallNs = process.hrtime.bigint() - start;
  const after = await probe.snapshot();
  const httpAfter = rowCell.http?.();

  // The figures only count if the row wrote the right history.
  const chat = chats[0]!;
  const turn = lastTurn.get(chat) ?? nextTurn.get(chat)! - 1;
  const expected = plan.conversation.history(turn + 1, plan.window).map(itemText);
  const stored = await rowCell.storedTexts(chat, turn);
  if (stored.length !== expected.length || stored.some((text, i) => text !== expected[i])) {
    failures.push(
      `${rowId} window=${cell.window} item=${cell.itemBytes}B: the reply holds ${stored.length} items, not the expected ${expected.length}`,
    );
  }
  return {
    turns: latenciesNs.length,
    wallNs,
    latenciesNs,
    server: delta(before, after),
    ...(httpBefore && httpAfter
      ? {
          http: {
            requests: httpAfter.requests - httpBefore.requests,
            bytesIn: httpAfter.bytesIn - httpBefore.bytesIn,
            bytesOut: httpAfter.bytesOut - httpBefore.bytesOut,
          },
        }
      : {}),
  };
}

async function calibrate(
  env: BenchEnv,
  rowCell: RowCell,
): Promise<RoundTripCount & { turns: number }> {
  const { config, probe } = env;
  await probe.flush();
  const chat = ringChat(2000, rowCell.ringKeys);
  await rowCell.seed(chat);
  for (let turn = 0; turn < config.warmupTurns; turn++) await rowCell.turn(chat, turn);
  const turns = config.calibrationTurns;
  const count = await countRoundTrips(env.redisUrl, probe, async () => {
    for (let i = 0; i < turns; i++) await rowCell.turn(chat, config.warmupTurns + i);
  });
  return { ...count, turns };
}

function summarize(runs: TimedRun[], calibration: RoundTripCount & { turns: number }): RowResult {
  const latencies = runs.flatMap((run) => run.latenciesNs).sort((a, b) => a - b);
  const turns = latencies.length;
  const wallNs = runs.reduce((sum, run) => sum + run.wallNs, 0n);
  let server: ServerDelta | undefined;
  for (const run of runs) server = addDelta(server, run.server);
  const seconds = Number(wallNs) / 1e9;
  const perTurn = (value: number) => value / turns;
  const callsPerTurn: Record<string, number> = {};
  for (const [name, count] of Object.entries(server!.calls).sort()) {
    callsPerTurn[name] = perTurn(count);
  }
  // The requests of one turn: the calibration's sequence divided evenly into its turns.
  const perTurnRequests = calibration.signature.length / calibration.turns;
  const result: RowResult = {
    turns,
    seconds,
    turnsPerSec: turns / seconds,
    p50Ms: percentile(latencies, 0.5) / 1e6,
    p99Ms: percentile(latencies, 0.99) / 1e6,
    meanMs: latencies.reduce((sum, value) => sum + value, 0) / turns / 1e6,
    roundTripsPerTurn: calibration.requests / calibration.turns,
    commandsPerTurn: perTurn(server!.commands),
    bytesInPerTurn: perTurn(server!.bytesIn),
    bytesOutPerTurn: perTurn(server!.bytesOut),
    serverCpuMicrosPerTurn: perTurn(server!.cpuMicros),
    callsPerTurn,
    requestSignature: Number.isInteger(perTurnRequests)
      ? calibration.signature.slice(0, perTurnRequests)
      : calibration.signature,
  };
  const http = runs.every((run) => run.http)
    ? runs.reduce(
        (sum, run) => ({
          requests: sum.requests + run.http!.requests,
          bytesIn: sum.bytesIn + run.http!.bytesIn,
          bytesOut: sum.bytesOut + run.http!.bytesOut,
        }),
        { requests: 0, bytesIn: 0, bytesOut: 0 },
      )
    : undefined;
  if (http) {
    result.httpRequestsPerTurn = perTurn(http.requests);
    result.httpBytesInPerTurn = perTurn(http.bytesIn);
    result.httpBytesOutPerTurn = perTurn(http.bytesOut);
  }
  return result;
}

/** Nearest-rank percentile of sorted values. */
export function percentile(sorted: number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil(q * sorted.length)));
  return sorted[rank - 1]!;
}

/** Conversations in a chained row's memory measurement: about the target bytes of data. */
function chainedConversations(config: BenchConfig, floor: number): number {
  const { min, max } = config.memoryConversations;
  return Math.max(min, Math.min(max, Math.round(config.memoryTargetBytes / (1.5 * floor))));
}

/** The bytes of the items a conversation holds, once: its starting history and its new items. */
function floorBytes(conversation: Conversation, window: number, turns: number): number {
  let total = 0;
  for (const element of conversation.historyElements(0, window)) total += element.length;
  for (let turn = 0; turn < turns; turn++) {
    for (const element of conversation.newElements(turn)) total += element.length;
  }
  return total;
}

function memoryConversations(config: BenchConfig, window: number, itemBytes: number): number {
  const estimate = (config.conversationTurns + 1) * window * itemBytes;
  const { min, max } = config.memoryConversations;
  return Math.max(min, Math.min(max, Math.round(config.memoryTargetBytes / estimate)));
}

/**
 * Redis memory per conversation: N conversations, each starting from a replied-to message
 * whose history fills the window (a long chat's steady state), then `conversationTurns`
 * turns, each replying to the previous reply. Every reply is a new key with the TTL, so a
 * conversation leaves conversationTurns + 1 keys: that is what reply-scoped memory costs until
 * the TTL expires. used_memory after minus before, divided by N.
 */
async function measureMemory(
  env: BenchEnv,
  rowCell: RowCell,
  conversations: number,
): Promise<{ bytesPerConversation: number; keysPerConversation: number }> {
  const { config, probe } = env;
  // Warm the row's path (script cache, connections) first, then start from an empty dataset.
  const warm = freshChat(9999);
  await rowCell.seed(warm);
  await rowCell.turn(warm, 0);
  await probe.flush();
  const before = await probe.usedMemory();
  const chats = Array.from({ length: conversations }, (_, i) => freshChat(5000 + i));
  const lanes = 4;
  await Promise.all(
    Array.from({ length: lanes }, async (_, lane) => {
      for (let i = lane; i < chats.length; i += lanes) {
        const chat = chats[i]!;
        await rowCell.seed(chat);
        for (let turn = 0; turn < config.conversationTurns; turn++) {
          await rowCell.turn(chat, turn);
        }
      }
    }),
  );
  const after = await probe.usedMemory();
  const keys = await probe.dbsize();
  await probe.flush();
  return {
    bytesPerConversation: (after - before) / conversations,
    keysPerConversation: keys / conversations,
  };
}
