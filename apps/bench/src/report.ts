import { BLOB_CELL, CHAIN_READ_WINDOW, FLOOR_CELLS, LAYOUT_WINDOW, OVERHEAD_CELL } from "./config";
import { NEW_ITEMS_PER_TURN } from "./content";
import type { BenchResults, CellResult, Check, RowResult } from "./results";
import { ROW_ORDER, rowNumber } from "./results";
import type { RowId } from "./rows/row";

function find(results: Pick<BenchResults, "cells">, cell: Partial<CellResult>): CellResult[] {
  return results.cells.filter(
    (entry) =>
      (cell.window === undefined || entry.window === cell.window) &&
      (cell.itemBytes === undefined || entry.itemBytes === cell.itemBytes) &&
      (cell.concurrency === undefined || entry.concurrency === cell.concurrency),
  );
}

const fmt = (value: number, digits = 0) =>
  Number.isFinite(value)
    ? value.toLocaleString("en-US", {
        maximumFractionDigits: digits,
        minimumFractionDigits: digits,
      })
    : "–";

/** Bytes a client writes per turn for its requests; for row 5 the HTTP request bytes. */
export function bytesWritten(result: RowResult): number {
  return result.httpBytesInPerTurn ?? result.bytesInPerTurn;
}

/** The rows of this library: row 1 (chained), row 5 (Upstash, chained), row 7 (copy). */
const OURS = ["agents-memory", "upstash", "agents-memory-copy"] as const;

/** The bars the issue sets, checked on the figures of this run. */
export function checkBars(
  results: Pick<BenchResults, "cells" | "rows" | "memory" | "chainReads">,
): Check[] {
  const bars: Check[] = [];
  const available = (id: RowId) => results.rows.some((row) => row.id === id && row.available);
  const missing = (id: RowId) =>
    results.rows.some((row) => row.id === id)
      ? `row ${rowNumber(id)} unavailable`
      : `row ${rowNumber(id)} not in this run`;

  // 1. Round trips per turn: 2 for rows 1, 5 and 7.
  {
    const parts: string[] = [];
    let met: boolean | null = true;
    for (const id of OURS) {
      if (!available(id)) {
        met = null;
        parts.push(missing(id));
        continue;
      }
      const values = results.cells.map((cell) => {
        const row = cell.rows[id]!;
        return id === "upstash" ? row.httpRequestsPerTurn! : row.roundTripsPerTurn;
      });
      const unit = id === "upstash" ? "HTTP requests" : "Redis requests";
      const distinct = [...new Set(values.map((value) => fmt(value, 2)))];
      parts.push(`row ${rowNumber(id)}: ${distinct.join(" / ")} ${unit} per turn`);
      if (values.some((value) => value !== 2) && met !== null) met = false;
    }
    bars.push({
      name: "round trips per turn = 2 (rows 1, 5 and 7)",
      met,
      detail: parts.join("; "),
    });
  }

  // 2. Bytes written per turn grow with the new items, not with the window (rows 1, 5, 7).
  for (const id of OURS) {
    const name = `row ${rowNumber(id)} bytes written per turn independent of the window`;
    if (!available(id)) {
      bars.push({ name, met: null, detail: missing(id) });
      continue;
    }
    const parts: string[] = [];
    let met = true;
    const sizes = [...new Set(results.cells.map((cell) => cell.itemBytes))];
    for (const itemBytes of sizes) {
      const cells = find(results, { itemBytes, concurrency: 1 });
      const byWindow = cells.map((cell) => ({
        window: cell.window,
        bytes: bytesWritten(cell.rows[id]!),
      }));
      const newBytes = NEW_ITEMS_PER_TURN * itemBytes;
      const values = byWindow.map((entry) => entry.bytes);
      const spread = Math.max(...values) - Math.min(...values);
      // Independent of the window: across windows the figure moves by less than 5% of the new
      // items (a window's digits and the fingerprint are all that differ). With one window,
      // the turn must not carry the history: at most 1.5x the new items plus 2 KB of framing.
      const ok =
        byWindow.length > 1
          ? spread <= Math.max(64, 0.05 * newBytes)
          : values[0]! <= 1.5 * newBytes + 2048;
      if (!ok) met = false;
      parts.push(
        `${fmt(itemBytes)} B items: ${byWindow.map((entry) => `${fmt(entry.bytes)} B at window ${entry.window}`).join(", ")} (new items ${fmt(newBytes)} B)`,
      );
    }
    bars.push({ name, met, detail: parts.join("; ") });
  }

  // 3. Row 1 at least 2x row 2's turns/s at window 200, 4 KB items.
  {
    const name = "row 1 >= 2x row 2 turns/s (window 200, 4 KB)";
    const cells = find(results, BLOB_CELL).filter(
      (cell) => cell.rows["agents-memory"] && cell.rows.legacy,
    );
    if (cells.length === 0) {
      bars.push({ name, met: null, detail: "cell not measured in this run" });
    } else {
      let met = true;
      const parts = cells.map((cell) => {
        const ratio = cell.rows["agents-memory"]!.turnsPerSec / cell.rows.legacy!.turnsPerSec;
        if (ratio < 2) met = false;
        return `${cell.concurrency} chat(s): ${fmt(ratio, 2)}x (${fmt(cell.rows["agents-memory"]!.turnsPerSec)} vs ${fmt(cell.rows.legacy!.turnsPerSec)} turns/s)`;
      });
      bars.push({ name, met, detail: parts.join("; ") });
    }
  }

  // 4. Redis memory per conversation within 1.5x the data floor (row 1, chained layout).
  {
    const name =
      "row 1 Redis memory per conversation <= 1.5x the data floor (50 x 1 KB, 200 x 4 KB)";
    const entries = FLOOR_CELLS.map((cell) =>
      results.memory.find((m) => m.window === cell.window && m.itemBytes === cell.itemBytes),
    ).filter((entry) => entry?.rows["agents-memory"]);
    if (entries.length === 0) {
      bars.push({ name, met: null, detail: "cells not measured in this run" });
    } else {
      let met: boolean | null = entries.length === FLOOR_CELLS.length ? true : null;
      const parts = entries.map((entry) => {
        const ours = entry!.rows["agents-memory"]!.bytesPerConversation;
        const ratio = ours / entry!.floorBytes;
        if (ratio > 1.5) met = false;
        const copy = entry!.rows["agents-memory-copy"]?.bytesPerConversation;
        return `${entry!.window} x ${bytes(entry!.itemBytes)}: ${bytes(ours)} vs a floor of ${bytes(entry!.floorBytes)} = ${fmt(ratio, 2)}x${copy === undefined ? "" : ` (copy layout, row 7: ${bytes(copy)} = ${fmt(copy / entry!.floorBytes, 1)}x)`}`;
      });
      if (entries.length < FLOOR_CELLS.length) parts.push("not every cell measured");
      bars.push({ name, met, detail: parts.join("; ") });
    }
  }

  // 5. The chained layout's turns/s at window 200 at least 0.8x the copy layout's.
  {
    const name = `row 1 (chained) >= 0.8x row 7 (copy) turns/s at window ${LAYOUT_WINDOW}`;
    const cells = find(results, { window: LAYOUT_WINDOW }).filter(
      (cell) => cell.rows["agents-memory"] && cell.rows["agents-memory-copy"],
    );
    if (cells.length === 0) {
      bars.push({ name, met: null, detail: "cells not measured in this run" });
    } else {
      let met = true;
      const parts = cells.map((cell) => {
        const chain = cell.rows["agents-memory"]!.turnsPerSec;
        const copy = cell.rows["agents-memory-copy"]!.turnsPerSec;
        if (chain < 0.8 * copy) met = false;
        return `${bytes(cell.itemBytes)}, ${cell.concurrency} chat(s): ${fmt(chain / copy, 2)}x (${fmt(chain)} vs ${fmt(copy)} turns/s)`;
      });
      bars.push({ name, met, detail: parts.join("; ") });
    }
  }

  // 7. The chained layout at the copy layout's cost (issue 26): Redis CPU per turn within 1.5x
  // row 7's and turns/s at least 0.9x, at windows 50 and 200, 1 and 32 chats.
  {
    const name = "row 1 (chained) Redis CPU per turn <= 1.5x and turns/s >= 0.9x row 7 (copy)";
    const cells = results.cells.filter(
      (cell) =>
        (cell.window === 50 || cell.window === LAYOUT_WINDOW) &&
        cell.rows["agents-memory"] &&
        cell.rows["agents-memory-copy"],
    );
    if (cells.length === 0) {
      bars.push({ name, met: null, detail: "cells not measured in this run" });
    } else {
      let met = true;
      const parts = cells.map((cell) => {
        const chain = cell.rows["agents-memory"]!;
        const copy = cell.rows["agents-memory-copy"]!;
        const cpu = chain.serverCpuMicrosPerTurn / copy.serverCpuMicrosPerTurn;
        const speed = chain.turnsPerSec / copy.turnsPerSec;
        if (cpu > 1.5 || speed < 0.9) met = false;
        return `${cell.window} x ${bytes(cell.itemBytes)}, ${cell.concurrency} chat(s): CPU ${fmt(cpu, 2)}x (${fmt(chain.serverCpuMicrosPerTurn)} vs ${fmt(copy.serverCpuMicrosPerTurn)} µs), turns/s ${fmt(speed, 2)}x`;
      });
      bars.push({ name, met, detail: parts.join("; ") });
    }
  }

  // 6. A read at the end of a long conversation within 1.2x of one whose window just filled.
  {
    const reads = results.chainReads.filter((entry) => entry.window === CHAIN_READ_WINDOW);
    const name = `row 1 read at the end of a long conversation within 1.2x of one at ${Math.max(25, CHAIN_READ_WINDOW / 2)} turns (window ${CHAIN_READ_WINDOW})`;
    if (reads.length === 0) {
      bars.push({ name, met: null, detail: "not measured in this run" });
    } else {
      let met = true;
      const parts = reads.map((entry) => {
        const ratio = entry.longMicros / entry.shortMicros;
        if (ratio > 1.2) met = false;
        return `${bytes(entry.itemBytes)} items: ${fmt(entry.longMicros)} µs at turn ${fmt(entry.longTurns)} vs ${fmt(entry.shortMicros)} µs at turn ${entry.shortTurns} = ${fmt(ratio, 2)}x`;
      });
      bars.push({ name, met, detail: parts.join("; ") });
    }
  }
  return bars;
}

/** Figures reported beside the bars, with no bar of their own. */
export function reportedFigures(
  results: Pick<BenchResults, "cells" | "chainReads">,
): { name: string; detail: string }[] {
  const reported: { name: string; detail: string }[] = [];
  // Client overhead against "ceiling + parse" (row 6): the store's requests, plus the parse
  // that any layer handing the model its history as objects must do.
  const [cell] = find(results, OVERHEAD_CELL);
  const ours = cell?.rows["agents-memory"];
  const parsed = cell?.rows["ceiling-parsed"];
  if (ours && parsed) {
    reported.push({
      name: "row 1 / row 6 (window 50, 1 KB, 32 chats)",
      detail: `${fmt(ours.turnsPerSec)} vs ${fmt(parsed.turnsPerSec)} turns/s = ${fmt((100 * ours.turnsPerSec) / parsed.turnsPerSec, 1)}%; p50 ${fmt(ours.p50Ms, 2)} vs ${fmt(parsed.p50Ms, 2)} ms`,
    });
  }
  const other = results.chainReads.filter((entry) => entry.window !== CHAIN_READ_WINDOW);
  if (other.length > 0) {
    reported.push({
      name: "row 1 read at the end of a long conversation vs one whose window just filled, other windows",
      detail: other
        .map(
          (entry) =>
            `window ${entry.window}, ${bytes(entry.itemBytes)} items: ${fmt(entry.longMicros)} µs at turn ${fmt(entry.longTurns)} vs ${fmt(entry.shortMicros)} µs at turn ${entry.shortTurns} = ${fmt(entry.longMicros / entry.shortMicros, 2)}x`,
        )
        .join("; "),
    });
  }
  return reported;
}

/** Are the figures produced and sane (not: are they fast)? What `--quick` in CI relies on. */
export function checkSanity(
  results: Pick<BenchResults, "cells" | "rows" | "memory">,
  failures: string[],
): Check[] {
  const checks: Check[] = [];
  const available = results.rows.filter((row) => row.available).map((row) => row.id);
  const problems: string[] = [];
  for (const cell of results.cells) {
    for (const id of available) {
      const row = cell.rows[id];
      const where = `row ${rowNumber(id)} window=${cell.window} item=${cell.itemBytes} chats=${cell.concurrency}`;
      if (!row) {
        problems.push(`${where}: missing`);
        continue;
      }
      if (!(row.turns > 0 && Number.isFinite(row.turnsPerSec) && row.turnsPerSec > 0)) {
        problems.push(`${where}: turns/s ${row.turnsPerSec}`);
      }
      if (!(row.p50Ms > 0 && row.p50Ms <= row.p99Ms)) {
        problems.push(`${where}: p50 ${row.p50Ms} p99 ${row.p99Ms}`);
      }
      if (!(row.roundTripsPerTurn >= 1 && row.commandsPerTurn >= row.roundTripsPerTurn)) {
        problems.push(
          `${where}: ${row.roundTripsPerTurn} requests, ${row.commandsPerTurn} commands`,
        );
      }
      if (!(row.bytesInPerTurn > 0 && row.bytesOutPerTurn > 0)) {
        problems.push(`${where}: bytes ${row.bytesInPerTurn}/${row.bytesOutPerTurn}`);
      }
      if (!(row.memoryPerConversationBytes! > 0)) {
        problems.push(`${where}: memory ${row.memoryPerConversationBytes}`);
      }
      if (id === "upstash" && !(row.httpRequestsPerTurn! > 0 && row.httpBytesInPerTurn! > 0)) {
        problems.push(`${where}: no HTTP counters`);
      }
    }
  }
  checks.push({
    name: "every row has figures in every cell (turns/s > 0, p50 <= p99, counters > 0)",
    met: problems.length === 0,
    detail: problems.length === 0 ? `${results.cells.length} cells` : problems.join("; "),
  });
  checks.push({
    name: "every row wrote exactly trim(history + new items)",
    met: failures.length === 0,
    detail: failures.length === 0 ? "checked after every timed run" : failures.join("; "),
  });
  for (const id of ["ceiling", "ceiling-parsed"] as const) {
    if (!available.includes("agents-memory") || !available.includes(id)) continue;
    const differ = results.cells.filter(
      (cell) =>
        cell.rows["agents-memory"]!.requestSignature.join(",") !==
        cell.rows[id]!.requestSignature.join(","),
    );
    const sample = results.cells[0]?.rows["agents-memory"]?.requestSignature.join(", ") ?? "";
    checks.push({
      name: `row ${rowNumber(id)} sends exactly row 1's requests`,
      met: differ.length === 0,
      detail:
        differ.length === 0
          ? `per turn: ${sample}`
          : differ
              .map(
                (cell) =>
                  `window=${cell.window} item=${cell.itemBytes}: ${cell.rows["agents-memory"]!.requestSignature.join(",")} vs ${cell.rows[id]!.requestSignature.join(",")}`,
              )
              .join("; "),
    });
  }
  return checks;
}

function ratio(value: number | undefined, base: number | undefined): string {
  if (value === undefined || base === undefined || !(base > 0)) return "–";
  return `${fmt(value / base, 2)}x`;
}

function bytes(value: number | undefined): string {
  if (value === undefined || !Number.isFinite(value)) return "–";
  if (Math.abs(value) >= 1024 * 1024) return `${fmt(value / 1024 / 1024, 1)} MB`;
  if (Math.abs(value) >= 10 * 1024) return `${fmt(value / 1024, 0)} KB`;
  if (Math.abs(value) >= 1024) return `${fmt(value / 1024, 1)} KB`;
  return `${fmt(value)} B`;
}

/** Decimal units for log-axis decades (1 kB = 1000 B). */
function si(value: number): string {
  if (value >= 1e9) return `${fmt(value / 1e9)} GB`;
  if (value >= 1e6) return `${fmt(value / 1e6)} MB`;
  if (value >= 1e3) return `${fmt(value / 1e3)} kB`;
  return `${fmt(value)} B`;
}

const mark = (met: boolean | null) => (met === null ? "n/a" : met ? "MET" : "NOT MET");

export function summaryLines(
  results: Pick<BenchResults, "bars" | "reported" | "sanity" | "rows">,
): string[] {
  const lines: string[] = [];
  for (const row of results.rows) {
    if (!row.available) lines.push(`ROW ${row.number} (${row.id}) UNAVAILABLE: ${row.reason}`);
  }
  for (const bar of results.bars) lines.push(`BAR ${mark(bar.met)}: ${bar.name}: ${bar.detail}`);
  for (const figure of results.reported) lines.push(`REPORTED: ${figure.name}: ${figure.detail}`);
  for (const check of results.sanity) {
    lines.push(`SANITY ${check.met ? "OK" : "FAILED"}: ${check.name}: ${check.detail}`);
  }
  return lines;
}

export function renderMarkdown(results: BenchResults): string {
  const { meta } = results;
  const out: string[] = [];
  out.push(`# agents-memory benchmark (${meta.mode})`, "");
  out.push(
    `${meta.date}, \`${meta.command}\`, ${meta.durationSeconds.toFixed(0)} s. ` +
      `${meta.cpuModel} (${meta.cpus} cores), ${meta.platform}, Node ${meta.node}, redis-server ${meta.redisVersion} started by the benchmark; load average ${meta.loadAverage.start.toFixed(1)} at the start, ${meta.loadAverage.end.toFixed(1)} at the end.`,
    "",
  );
  out.push("Rows:", "");
  for (const row of results.rows) {
    const status = row.available ? "" : ` — **unavailable**: ${row.reason}`;
    out.push(`${row.number}. ${row.title}${row.note ? ` (${row.note})` : ""}${status}`);
  }
  out.push("", "## Bars", "");
  for (const bar of results.bars) out.push(`- **${mark(bar.met)}** ${bar.name}: ${bar.detail}`);
  for (const figure of results.reported)
    out.push(`- **reported** ${figure.name}: ${figure.detail}`);
  out.push("", "## Sanity", "");
  for (const check of results.sanity) {
    out.push(`- **${check.met ? "OK" : "FAILED"}** ${check.name}: ${check.detail}`);
  }
  out.push("", "## Turns", "");
  out.push(
    "Per turn: read the replied-to history (up to the window), write trim(history + 2 new items) under the reply's key with a TTL. " +
      "Round trips: requests per turn as Redis executed them (MONITOR calibration; a MULTI…EXEC block is one), for row 5 HTTP requests on the Upstash-protocol server. " +
      "Commands: every command Redis ran per turn (`INFO commandstats`, a script's own calls included). Server CPU: redis-server's user + system CPU time per turn (`INFO cpu`). " +
      "Bytes in/out: what the server read/wrote per turn (`INFO stats` net bytes; row 5: HTTP body bytes on its server). " +
      "Memory: Redis used_memory per conversation of 20 turns (see below).",
    "",
  );
  out.push(
    "| window | item | chats | row | turns/s | ÷ row 2 | ÷ row 6 | p50 ms | p99 ms | round trips | commands | server CPU µs | bytes in | bytes out | memory/conv |",
    "|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
  );
  for (const cell of results.cells) {
    for (const id of ROW_ORDER) {
      const row = cell.rows[id];
      if (!row) continue;
      const http = row.httpRequestsPerTurn !== undefined;
      out.push(
        `| ${cell.window} | ${bytes(cell.itemBytes)} | ${cell.concurrency} | ${rowNumber(id)} ${id} | ${fmt(row.turnsPerSec)} | ${ratio(row.turnsPerSec, cell.rows.legacy?.turnsPerSec)} | ${ratio(row.turnsPerSec, cell.rows["ceiling-parsed"]?.turnsPerSec)} | ${fmt(row.p50Ms, 2)} | ${fmt(row.p99Ms, 2)} | ${http ? `${fmt(row.httpRequestsPerTurn!, 1)} HTTP` : fmt(row.roundTripsPerTurn, 1)} | ${fmt(row.commandsPerTurn, 1)} | ${fmt(row.serverCpuMicrosPerTurn)} | ${bytes(http ? row.httpBytesInPerTurn : row.bytesInPerTurn)} | ${bytes(http ? row.httpBytesOutPerTurn : row.bytesOutPerTurn)} | ${bytes(row.memoryPerConversationBytes)} |`,
      );
    }
  }
  if (results.rows.some((row) => row.id === "upstash" && row.available)) {
    out.push(
      "",
      "Row 5's latency and turns/s are those of the local Upstash-protocol server (in this process, forwarding to the same redis-server), not Upstash's; its round trips and bytes are HTTP requests and HTTP body bytes (headers not counted) as that server counted them. Its Redis side per turn:",
      "",
      "| window | item | chats | Redis requests | Redis commands | Redis bytes in | Redis bytes out |",
      "|---:|---:|---:|---:|---:|---:|---:|",
    );
    for (const cell of results.cells) {
      const row = cell.rows.upstash;
      if (!row) continue;
      out.push(
        `| ${cell.window} | ${bytes(cell.itemBytes)} | ${cell.concurrency} | ${fmt(row.roundTripsPerTurn, 1)} | ${fmt(row.commandsPerTurn, 1)} | ${bytes(row.bytesInPerTurn)} | ${bytes(row.bytesOutPerTurn)} |`,
      );
    }
  }
  out.push("", "## Redis memory per conversation", "");
  out.push(
    "A conversation starts from a replied-to message whose history already fills the window (a long chat's steady state), then 20 turns, each replying to the previous reply. " +
      "Every reply is a new key with the TTL, so a conversation leaves 21 keys until they expire (any reply can be continued or forked): on the chained layout (rows 1, 3, 5, 6) each holds a link and its turn's 2 new items; on the copy layout (row 7) and in rows 2 and 4, the whole trimmed history. " +
      "Figure: used_memory after minus before, divided by the number of conversations. Floor: the bytes of the items a conversation holds, once (its starting history and its 40 new items, as stored JSON); ÷ floor is row 1's figure over it.",
    "",
  );
  const rowIds = ROW_ORDER.filter((id) => results.memory.some((entry) => entry.rows[id]));
  out.push(
    `| window | item | conversations (chained rows) | floor | ${rowIds.map((id) => `${rowNumber(id)} ${id}`).join(" | ")} | row 1 ÷ floor | keys/conv |`,
    `|---:|---:|---:|---:|${rowIds.map(() => "---:|").join("")}---:|---:|`,
  );
  for (const entry of results.memory) {
    const keys = Object.values(entry.rows)[0]?.keysPerConversation;
    out.push(
      `| ${entry.window} | ${bytes(entry.itemBytes)} | ${entry.conversations} (${entry.chainedConversations}) | ${bytes(entry.floorBytes)} | ${rowIds.map((id) => bytes(entry.rows[id]?.bytesPerConversation)).join(" | ")} | ${ratio(entry.rows["agents-memory"]?.bytesPerConversation, entry.floorBytes)} | ${fmt(keys ?? Number.NaN, 0)} |`,
    );
  }
  out.push("");
  return out.join("\n");
}

const COLORS: Record<RowId, string> = {
  "agents-memory": "#1f77b4",
  legacy: "#d62728",
  ceiling: "#2ca02c",
  langchain: "#9467bd",
  upstash: "#ff7f0e",
  "ceiling-parsed": "#8c8c8c",
  "agents-memory-copy": "#17becf",
};

/** One SVG, two panels: turns/s and memory per conversation against the history window. */
export function renderSvg(results: BenchResults): string {
  const sizes = [...new Set(results.cells.map((cell) => cell.itemBytes))];
  const itemBytes = sizes.includes(1024) ? 1024 : sizes[0]!;
  const windows = [...new Set(results.cells.map((cell) => cell.window))].sort((a, b) => a - b);
  const concurrencies = [...new Set(results.cells.map((cell) => cell.concurrency))].sort(
    (a, b) => b - a,
  );
  const ids = ROW_ORDER.filter((id) => results.cells.some((cell) => cell.rows[id]));
  const throughput = ids.flatMap((id) =>
    concurrencies.map((concurrency, index) => ({
      id,
      dashed: index > 0,
      label: `${rowNumber(id)} ${id}, ${concurrency} chat${concurrency === 1 ? "" : "s"}`,
      points: windows.map((window) => {
        const cell = find(results, { window, itemBytes, concurrency })[0];
        return { x: window, y: cell?.rows[id]?.turnsPerSec ?? Number.NaN };
      }),
    })),
  );
  const memory = ids.map((id) => ({
    id,
    dashed: false,
    label: `${rowNumber(id)} ${id}`,
    points: windows.map((window) => {
      const entry = results.memory.find((m) => m.window === window && m.itemBytes === itemBytes);
      return { x: window, y: entry?.rows[id]?.bytesPerConversation ?? Number.NaN };
    }),
  }));
  const width = 1100;
  const height = 470;
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<title>agents-memory benchmark: turns/s and Redis memory per conversation against the history window</title>`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
    `<text x="${width / 2}" y="22" text-anchor="middle" font-size="15">agents-memory benchmark (${results.meta.mode}, ${results.meta.date.slice(0, 10)}): ${bytes(itemBytes)} items, row 1 drawn on top</text>`,
    panel(40, 40, 500, 380, "turns/s (log scale)", throughput, windows, (v) => fmt(v)),
    panel(600, 40, 470, 380, "Redis memory per conversation (log scale)", memory, windows, si),
    "</svg>",
  ];
  return parts.join("\n");
}

interface Series {
  id: RowId;
  dashed: boolean;
  label: string;
  points: { x: number; y: number }[];
}

function panel(
  left: number,
  top: number,
  width: number,
  height: number,
  title: string,
  series: Series[],
  windows: number[],
  label: (value: number) => string,
): string {
  const plot = { x: left + 70, y: top + 20, w: width - 90, h: height - 150 };
  const values = series.flatMap((s) => s.points.map((p) => p.y)).filter((v) => v > 0);
  const lo = 10 ** Math.floor(Math.log10(Math.min(...values)));
  const hi = Math.max(10 ** Math.ceil(Math.log10(Math.max(...values))), lo * 10);
  const yOf = (v: number) =>
    plot.y +
    plot.h -
    ((Math.log10(v) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo))) * plot.h;
  const xOf = (window: number) => {
    const index = windows.indexOf(window);
    return windows.length === 1
      ? plot.x + plot.w / 2
      : plot.x + 20 + (index / (windows.length - 1)) * (plot.w - 40);
  };
  const out = [
    `<text x="${plot.x + plot.w / 2}" y="${top + 8}" text-anchor="middle" font-size="13">${title}</text>`,
    `<rect x="${plot.x}" y="${plot.y}" width="${plot.w}" height="${plot.h}" fill="none" stroke="#999"/>`,
  ];
  for (let decade = lo; decade <= hi; decade *= 10) {
    const y = yOf(decade);
    out.push(
      `<line x1="${plot.x}" y1="${y}" x2="${plot.x + plot.w}" y2="${y}" stroke="#eee"/>`,
      `<text x="${plot.x - 6}" y="${y + 4}" text-anchor="end">${label(decade)}</text>`,
    );
  }
  for (const window of windows) {
    out.push(
      `<text x="${xOf(window)}" y="${plot.y + plot.h + 16}" text-anchor="middle">${window}</text>`,
    );
  }
  out.push(
    `<text x="${plot.x + plot.w / 2}" y="${plot.y + plot.h + 32}" text-anchor="middle">history window (items)</text>`,
  );
  // Legend in row order; lines drawn from the last row to the first, so row 1 is on top.
  series.forEach((s, index) => {
    const color = COLORS[s.id];
    const dash = s.dashed ? ` stroke-dasharray="5,4"` : "";
    const column = index % 2;
    const line = Math.floor(index / 2);
    const lx = plot.x + column * (plot.w / 2);
    const ly = plot.y + plot.h + 52 + line * 16;
    out.push(
      `<line x1="${lx}" y1="${ly - 4}" x2="${lx + 24}" y2="${ly - 4}" stroke="${color}" stroke-width="2"${dash}/>`,
      `<text x="${lx + 30}" y="${ly}">${s.label}</text>`,
    );
  });
  [...series].reverse().forEach((s) => {
    const points = s.points.filter((p) => p.y > 0);
    const color = COLORS[s.id];
    const dash = s.dashed ? ` stroke-dasharray="5,4"` : "";
    if (points.length > 1) {
      out.push(
        `<polyline fill="none" stroke="${color}" stroke-width="2"${dash} points="${points.map((p) => `${xOf(p.x).toFixed(1)},${yOf(p.y).toFixed(1)}`).join(" ")}"/>`,
      );
    }
    for (const p of points) {
      out.push(
        `<circle cx="${xOf(p.x).toFixed(1)}" cy="${yOf(p.y).toFixed(1)}" r="3.5" fill="${s.dashed ? "white" : color}" stroke="${color}" stroke-width="1.5"/>`,
      );
    }
  });
  return out.join("\n");
}
