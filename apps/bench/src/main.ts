import { spawnSync } from "node:child_process";
import { mkdir, writeFile } from "node:fs/promises";
import { cpus, loadavg, platform, release } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { startRedisServer } from "@agents-memory/test-servers/redis";
import { runBench } from "./bench";
import { type BenchConfig, FULL, QUICK } from "./config";
import {
  checkBars,
  checkSanity,
  renderMarkdown,
  renderSvg,
  reportedFigures,
  summaryLines,
} from "./report";
import type { BenchResults } from "./results";
import { ROW_ORDER } from "./results";
import { agentsMemoryRow } from "./rows/agents-memory";
import { ceilingRow } from "./rows/ceiling";
import { langchainRow } from "./rows/langchain";
import { legacyRow } from "./rows/legacy";
import type { Row, RowId } from "./rows/row";
import { upstashRow } from "./rows/upstash";
import { ServerProbe } from "./server-stats";
import { printTokensPerTurn } from "./tokens-per-turn";

export interface MainOptions {
  quick?: boolean;
  /** Where latest.json, latest.md and latest.svg go. Default apps/bench/results. */
  outDir?: string;
  /** Only these rows (default all seven). */
  rows?: RowId[];
  /** Only these window x item-size cells of the mode (both concurrencies each). */
  cells?: { window: number; itemBytes: number }[];
  log?: (line: string) => void;
}

export const DEFAULT_OUT_DIR = resolve(dirname(fileURLToPath(import.meta.url)), "..", "results");

export async function main(options: MainOptions = {}): Promise<BenchResults> {
  const log = options.log ?? ((line: string) => console.log(line));
  const config = selectCells(options.quick ? QUICK : FULL, options.cells);
  const outDir = options.outDir ?? DEFAULT_OUT_DIR;
  const started = Date.now();
  const loadAtStart = loadavg()[0]!;
  const redis = await startRedisServer();
  const probe = await ServerProbe.connect(redis.url);
  const factories: Record<RowId, () => Row> = {
    "agents-memory": () => agentsMemoryRow(redis.url),
    legacy: () => legacyRow(redis.url),
    ceiling: () => ceilingRow(redis.url),
    langchain: () => langchainRow(redis.url),
    upstash: () => upstashRow(redis.port),
    "ceiling-parsed": () => ceilingRow(redis.url, { parse: true }),
    "agents-memory-copy": () => agentsMemoryRow(redis.url, "copy"),
  };
  const rows = (options.rows ?? ROW_ORDER).map((id) => factories[id]());
  try {
    const redisVersion = await probe.version();
    log(
      `agents-memory bench (${config.mode}): redis-server ${redisVersion} on port ${redis.port}, ${(config.cells?.length ?? config.windows.length * config.itemSizes.length) * config.concurrencies.length} cells, ${rows.length} rows`,
    );
    const run = await runBench({ config, redisUrl: redis.url, probe, rows, log });
    const partial = {
      cells: run.cells,
      rows: run.rows,
      memory: run.memory,
      chainReads: run.chainReads,
    };
    const results: BenchResults = {
      meta: {
        date: new Date().toISOString(),
        mode: config.mode,
        command: commandLine(options),
        node: process.versions.node,
        redisVersion,
        cpus: cpus().length,
        cpuModel: cpus()[0]?.model.trim() ?? "unknown CPU",
        platform: `${platform()} ${release()}`,
        durationSeconds: (Date.now() - started) / 1000,
        loadAverage: { start: loadAtStart, end: loadavg()[0]! },
        config,
      },
      ...partial,
      bars: checkBars(partial),
      reported: reportedFigures(partial),
      sanity: checkSanity(partial, run.failures),
    };
    await mkdir(outDir, { recursive: true });
    const markdown = renderMarkdown(results);
    await writeFile(join(outDir, "latest.json"), `${JSON.stringify(results, null, 2)}\n`);
    await writeFile(join(outDir, "latest.md"), markdown);
    await writeFile(join(outDir, "latest.svg"), renderSvg(results));
    log("");
    log(markdown);
    for (const line of summaryLines(results)) log(line);
    log(
      `wrote ${join(outDir, "latest.{json,md,svg}")} in ${results.meta.durationSeconds.toFixed(0)} s`,
    );
    await printTokensPerTurn(options.quick ? 60 : 200, log);
    return results;
  } finally {
    for (const row of rows) await row.close().catch(() => {});
    await probe.close();
    await redis.stop();
  }
}

function parseArgs(argv: string[]): MainOptions {
  const options: MainOptions = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--quick") options.quick = true;
    else if (arg === "--out") options.outDir = resolve(argv[++i] ?? "");
    else if (arg === "--rows") {
      options.rows = (argv[++i] ?? "").split(",").filter(Boolean) as RowId[];
      for (const id of options.rows) {
        if (!ROW_ORDER.includes(id))
          throw new Error(`unknown row ${id} (rows: ${ROW_ORDER.join(", ")})`);
      }
    } else if (arg === "--cells") {
      options.cells = (argv[++i] ?? "").split(",").filter(Boolean).map(parseCell);
    } else if (arg === "--") continue;
    else if (arg === "--help" || arg === "-h") {
      console.log(
        `usage: pnpm bench [--quick] [--out <dir>] [--rows ${ROW_ORDER.join(",")}] [--cells 50x1024,200x4096] [--no-distance]`,
      );
      process.exit(0);
    } else throw new Error(`unknown argument ${arg} (see --help)`);
  }
  return options;
}

/** `200x4096`: history window x item bytes. */
function parseCell(text: string): { window: number; itemBytes: number } {
  const match = /^(\d+)x(\d+)$/.exec(text);
  if (!match) throw new Error(`bad cell ${text}: expected <window>x<item bytes>, e.g. 200x4096`);
  return { window: Number(match[1]), itemBytes: Number(match[2]) };
}

/** The mode's config restricted to the cells asked for; a cell the mode lacks is an error. */
export function selectCells(
  config: BenchConfig,
  cells: { window: number; itemBytes: number }[] | undefined,
): BenchConfig {
  if (!cells || cells.length === 0) return config;
  for (const { window, itemBytes } of cells) {
    if (!config.windows.includes(window) || !config.itemSizes.includes(itemBytes)) {
      throw new Error(
        `cell ${window}x${itemBytes} is not in the ${config.mode} run (windows ${config.windows.join("/")}, item sizes ${config.itemSizes.join("/")})`,
      );
    }
  }
  return {
    ...config,
    windows: config.windows.filter((w) => cells.some((cell) => cell.window === w)),
    itemSizes: config.itemSizes.filter((b) => cells.some((cell) => cell.itemBytes === b)),
    cells,
  };
}

/** The command that reproduces this run, for the report. */
function commandLine(options: MainOptions): string {
  const parts = ["pnpm bench"];
  if (options.quick) parts.push("--quick");
  if (options.rows) parts.push("--rows", options.rows.join(","));
  if (options.cells) {
    parts.push("--cells", options.cells.map((c) => `${c.window}x${c.itemBytes}`).join(","));
  }
  return parts.join(" ");
}

/**
 * A turn at a distance (20 and 70 ms each way, warm and cold, ioredis and Upstash over HTTPS):
 * the full run ends with `src/experiments/distance.ts`'s table, in its own process (it trusts a
 * throwaway certificate at start-up). `--quick` and `--no-distance` skip it.
 */
function runDistance(turns: number): boolean {
  const script = join(dirname(fileURLToPath(import.meta.url)), "experiments", "distance.ts");
  console.log(`\n## A turn at a distance (${turns} turns per cell)\n`);
  const child = spawnSync(process.execPath, [...process.execArgv, script, String(turns)], {
    stdio: "inherit",
  });
  return child.status === 0;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const distance = !args.includes("--no-distance");
  const options = parseArgs(args.filter((arg) => arg !== "--no-distance"));
  main(options).then(
    (results) => {
      const sane = results.sanity.every((check) => check.met);
      const far = options.quick || !distance ? true : runDistance(8);
      process.exitCode = sane && far ? 0 : 1;
    },
    (error) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
}
