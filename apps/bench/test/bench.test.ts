import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { FULL, QUICK } from "../src/config";
import { selectCells } from "../src/main";
import type { BenchResults } from "../src/results";
import { ROW_ORDER } from "../src/results";

const packageDir = resolve(dirname(fileURLToPath(import.meta.url)), "..");

/** Runs the benchmark's CLI as `pnpm bench --quick` does, writing into `outDir`. */
function runQuick(outDir: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(
      process.execPath,
      ["--import", "tsx", "src/main.ts", "--quick", "--out", outDir],
      { cwd: packageDir, stdio: ["ignore", "pipe", "pipe"] },
    );
    let output = "";
    child.stdout.on("data", (chunk) => {
      output += chunk;
    });
    child.stderr.on("data", (chunk) => {
      output += chunk;
    });
    child.once("error", reject);
    child.once("exit", (code) => resolvePromise({ code, output }));
  });
}

describe("pnpm bench --quick", () => {
  let outDir: string;
  let run: { code: number | null; output: string };
  let results: BenchResults;
  let seconds: number;

  beforeAll(async () => {
    outDir = await mkdtemp(join(tmpdir(), "am-bench-"));
    const started = Date.now();
    run = await runQuick(outDir);
    seconds = (Date.now() - started) / 1000;
    results = JSON.parse(await readFile(join(outDir, "latest.json"), "utf8")) as BenchResults;
  }, 120_000);

  afterAll(async () => {
    await rm(outDir, { recursive: true, force: true });
  });

  test("finishes in under a minute and exits 0", () => {
    expect(run.code, run.output).toBe(0);
    expect(seconds).toBeLessThan(60);
  });

  test("measures all seven rows; one that cannot run says why", () => {
    expect(results.rows.map((row) => row.id)).toEqual(ROW_ORDER);
    for (const row of results.rows) {
      if (row.id === "langchain" && !row.available) {
        expect(row.reason).toBeTruthy();
        expect(run.output).toContain(`ROW 4 (langchain) UNAVAILABLE: ${row.reason}`);
      } else {
        expect(row.available, `${row.id}: ${row.reason}`).toBe(true);
      }
    }
  });

  test("every row has sane figures in every cell", () => {
    expect(results.cells.map((cell) => [cell.window, cell.itemBytes, cell.concurrency])).toEqual([
      [50, 1024, 1],
      [50, 1024, 32],
    ]);
    for (const cell of results.cells) {
      for (const row of results.rows.filter((entry) => entry.available)) {
        const figures = cell.rows[row.id]!;
        expect(figures, row.id).toBeDefined();
        expect(Number.isFinite(figures.turnsPerSec) && figures.turnsPerSec > 0).toBe(true);
        expect(figures.turns).toBeGreaterThan(0);
        expect(figures.p50Ms).toBeGreaterThan(0);
        expect(figures.p50Ms).toBeLessThanOrEqual(figures.p99Ms);
        expect(figures.bytesInPerTurn).toBeGreaterThan(0);
        expect(figures.bytesOutPerTurn).toBeGreaterThan(0);
        expect(figures.commandsPerTurn).toBeGreaterThanOrEqual(figures.roundTripsPerTurn);
        expect(figures.memoryPerConversationBytes).toBeGreaterThan(0);
      }
    }
  });

  test("round trips per turn are counted for rows 1, 5 and 7, and the write does not carry the history", () => {
    for (const cell of results.cells) {
      const ours = cell.rows["agents-memory"]!;
      const upstash = cell.rows.upstash!;
      const copy = cell.rows["agents-memory-copy"]!;
      expect(ours.roundTripsPerTurn).toBeGreaterThan(0);
      expect(copy.roundTripsPerTurn).toBeGreaterThan(0);
      expect(copy.bytesInPerTurn).toBeLessThan(cell.window * cell.itemBytes);
      expect(upstash.httpRequestsPerTurn).toBeGreaterThan(0);
      // The legacy flow writes the whole blob; the fork writes the new items.
      const historyBytes = cell.window * cell.itemBytes;
      expect(cell.rows.legacy!.bytesInPerTurn).toBeGreaterThan(historyBytes);
      expect(ours.bytesInPerTurn).toBeLessThan(historyBytes / 4);
      expect(upstash.httpBytesInPerTurn!).toBeLessThan(historyBytes / 4);
    }
  });

  test("the benchmark's own checks pass and every bar gets a summary line", () => {
    for (const check of results.sanity) expect(check.met, check.detail).toBe(true);
    expect(results.bars.length).toBeGreaterThanOrEqual(4);
    for (const bar of results.bars) expect(run.output).toContain(`: ${bar.name}: `);
    // Client overhead is reported against row 6 (ceiling + parse), with no bar.
    expect(results.bars.some((bar) => bar.name.includes("row 3"))).toBe(false);
    const overhead = results.reported.find((figure) => figure.name.startsWith("row 1 / row 6"));
    expect(overhead?.detail).toMatch(/^[\d,]+ vs [\d,]+ turns\/s = [\d.]+%/);
    expect(run.output).toContain(`REPORTED: ${overhead!.name}: `);
    // Memory against the data floor, and a long conversation's read against a short one's.
    const [memory] = results.memory;
    expect(memory!.floorBytes).toBeGreaterThan(0);
    expect(memory!.rows["agents-memory"]!.bytesPerConversation).toBeLessThan(
      memory!.rows["agents-memory-copy"]!.bytesPerConversation,
    );
    const [reads] = results.chainReads;
    expect(reads).toMatchObject({ window: 50, shortTurns: 25, longTurns: 200 });
    expect(reads!.longMicros).toBeGreaterThan(0);
    expect(results.sanity.map((check) => check.name)).toContain(
      "row 6 sends exactly row 1's requests",
    );
  });

  test("writes the Markdown table and the SVG chart", async () => {
    const markdown = await readFile(join(outDir, "latest.md"), "utf8");
    expect(markdown).toContain("| window | item | chats | row | turns/s |");
    for (const id of ROW_ORDER) expect(markdown).toContain(id);
    const svg = await readFile(join(outDir, "latest.svg"), "utf8");
    expect(svg.startsWith("<svg")).toBe(true);
    expect(svg).toContain("turns/s");
    expect(svg).toContain("memory per conversation");
    expect((await stat(join(outDir, "latest.svg"))).size).toBeGreaterThan(1000);
  });
});

describe("pnpm bench --cells", () => {
  test("runs only the cells asked for, at both concurrencies", () => {
    const config = selectCells(FULL, [
      { window: 200, itemBytes: 4096 },
      { window: 50, itemBytes: 1024 },
    ]);
    expect(config.windows).toEqual([50, 200]);
    expect(config.itemSizes).toEqual([1024, 4096]);
    expect(config.cells).toEqual([
      { window: 200, itemBytes: 4096 },
      { window: 50, itemBytes: 1024 },
    ]);
    expect(config.concurrencies).toEqual(FULL.concurrencies);
    expect(selectCells(FULL, undefined)).toBe(FULL);
  });

  test("a cell the mode does not measure is an error that names the mode's cells", () => {
    expect(() => selectCells(QUICK, [{ window: 200, itemBytes: 4096 }])).toThrow(
      /cell 200x4096 is not in the quick run \(windows 50, item sizes 1024\)/,
    );
  });
});
