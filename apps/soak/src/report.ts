/** The soak's printed report, and its verdict: which broken promises fail the run. */

import { answerCounts, chatsOutOfOrder, latencyByPhase } from "./metrics";
import type { RollingResult } from "./rolling";
import type { SoakResult } from "./soak";

export interface Verdict {
  ok: boolean;
  /** One phrase per failure ("2 answers lost", "3 ghost writes"). */
  failures: string[];
}

/**
 * A run fails on any lost or wrong answer, any ghost write, any history logged as stored but
 * missing from Redis (with no kill in between), and any chat answered out of order.
 */
export function verdict(result: SoakResult): Verdict {
  const counts = answerCounts(result.turns);
  const failures: string[] = [];
  const count = (n: number, what: string) => {
    if (n > 0) failures.push(`${n} ${what}`);
  };
  count(counts.lost.length, "answers lost");
  count(counts.wrong.length, "wrong answers (not the model's answer to that message)");
  count(result.ghosts.ghosts.length, "ghost writes");
  count(result.ghosts.storedMissing.length, "histories logged as stored but missing");
  count(chatsOutOfOrder(result.turns).length, "chats answered out of order");
  return { ok: failures.length === 0, failures };
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const mb = (kb: number) => `${(kb / 1024).toFixed(1)} MB`;
const ms = (value: number) => (Number.isNaN(value) ? "-" : String(Math.round(value)));
const times = (counts: Map<string, number>) =>
  [...counts].map(([text, n]) => `"${text}" x${n}`).join(", ") || "none";

export function formatReport(result: SoakResult): string[] {
  const { plan, turns, ghosts } = result;
  const counts = answerCounts(turns);
  const outOfOrder = chatsOutOfOrder(turns);
  const outcomeCounts = new Map<string, number>();
  for (const { outcome } of result.outcomes.values()) {
    outcomeCounts.set(outcome, (outcomeCounts.get(outcome) ?? 0) + 1);
  }
  const lines: string[] = [];
  lines.push(
    `agents-memory soak (${plan.mode}, ${plan.store}): ${plan.chats} chats x ${plan.turnsPerChat} turns, up to ${plan.window} in flight per chat, traffic over ${seconds(plan.trafficMs)}; run took ${seconds(result.durationMs)}`,
  );
  for (const event of result.events) lines.push(`  +${seconds(event.atMs)}  ${event.text}`);
  lines.push(
    `answered        ${counts.answered}/${counts.sent} (lost ${counts.lost.length}, wrong ${counts.wrong.length})`,
  );
  for (const turn of [...counts.lost, ...counts.wrong].slice(0, 5)) {
    lines.push(
      `                ${turn.tag} (sent in "${turn.phase}"): ${turn.answer?.text ?? "no answer"}`,
    );
  }
  const chats = new Set(turns.map((turn) => turn.chatId)).size;
  lines.push(
    `per-chat order  ${chats - outOfOrder.length}/${chats} chats answered in the order they sent (the bot runs one chat's messages one at a time)`,
  );
  lines.push("latency (ms)    phase        turns    p50    p99    max");
  for (const row of latencyByPhase(turns)) {
    lines.push(
      `                ${row.phase.padEnd(12)} ${String(row.count).padStart(5)} ${ms(row.p50).padStart(6)} ${ms(row.p99).padStart(6)} ${ms(row.max).padStart(6)}`,
    );
  }
  lines.push(`bot outcomes    ${times(result.botMessages)}`);
  lines.push(`                by turn: ${times(outcomeCounts)}`);
  lines.push(
    `histories       ${outcomeCounts.get("stored") ?? 0} logged as stored: ${ghosts.storedSeen} seen in Redis, ${ghosts.storedUncheckedBeforeKill} emptied by the kill before a check, ${ghosts.storedMissing.length} missing; keys in Redis at the end: ${result.keysAtEnd}`,
  );
  const kinds = new Map<string, number>();
  const phases = new Map<string, number>();
  for (const ghost of ghosts.ghosts) {
    kinds.set(ghost.kind, (kinds.get(ghost.kind) ?? 0) + 1);
    phases.set(ghost.turn.phase, (phases.get(ghost.turn.phase) ?? 0) + 1);
  }
  lines.push(
    `GHOST WRITES    ${ghosts.ghosts.length} (${[...kinds].map(([kind, n]) => `${kind}: ${n}`).join(", ") || "none"}; by phase sent: ${[...phases].map(([phase, n]) => `${phase} ${n}`).join(", ") || "none"})`,
  );
  lines.push(
    `                checks (found/checked): ${ghosts.checkpoints.map((c) => `${c.name} ${c.ghostsFound}/${c.checked}`).join(", ")}; unknown outcomes that landed before the bot gave up: ${ghosts.unknownLandedInTime}`,
  );
  for (const ghost of ghosts.ghosts.slice(0, 3)) {
    lines.push(
      `                ${ghost.key} (${ghost.turn.tag}, sent in "${ghost.turn.phase}"): ${ghost.kind}, logged "${ghost.msg}", found ${ghost.foundAt}`,
    );
  }
  lines.push(`bot error lines ${times(result.errorLines)}`);
  lines.push(`bot RSS         before ${mb(result.rssBeforeKb)}, after ${mb(result.rssAfterKb)}`);
  const { ok, failures } = verdict(result);
  lines.push(ok ? "result          PASS" : `result          FAIL: ${failures.join("; ")}`);
  return lines;
}

/** The rolling run fails on any lost, wrong or duplicate answer, and any chat out of order. */
export function rollingVerdict(result: RollingResult): Verdict {
  const counts = answerCounts(result.turns);
  const failures: string[] = [];
  const count = (n: number, what: string) => {
    if (n > 0) failures.push(`${n} ${what}`);
  };
  count(counts.lost.length, "answers lost");
  count(counts.wrong.length, "wrong answers (not the model's answer to that message)");
  count(result.duplicates.length, "messages answered more than once");
  count(chatsOutOfOrder(result.turns).length, "chats answered out of order");
  return { ok: failures.length === 0, failures };
}

export function formatRollingReport(result: RollingResult): string[] {
  const { plan, turns } = result;
  const counts = answerCounts(turns);
  const lines: string[] = [];
  lines.push(
    `agents-memory soak (${plan.mode}, ${plan.store}), rolling restart${plan.transport === "webhook" ? " in webhook mode (the first instance crashes: SIGKILL)" : ""}: 2 instances on one store, each replaced while turns run; ${plan.chats} chats x ${plan.turnsPerChat} turns (one in flight per chat), model ${plan.modelDelayMs} ms, traffic over ${seconds(plan.trafficMs)}; run took ${seconds(result.durationMs)}`,
  );
  for (const event of result.events) lines.push(`  +${seconds(event.atMs)}  ${event.text}`);
  lines.push(
    `answered        ${counts.answered}/${counts.sent} (lost ${counts.lost.length}, wrong ${counts.wrong.length})`,
  );
  for (const turn of [...counts.lost, ...counts.wrong].slice(0, 5)) {
    lines.push(`                ${turn.tag}: ${turn.answer?.text ?? "no answer"}`);
  }
  lines.push(`duplicates      ${result.duplicates.length} messages answered more than once`);
  for (const duplicate of result.duplicates.slice(0, 5)) {
    lines.push(
      `                chat ${duplicate.chatId} message ${duplicate.messageId}: ${duplicate.answers} answers`,
    );
  }
  lines.push(
    `handed over     ${result.handedOver} times an instance found an update held or answered by another one`,
  );
  lines.push(`claim failures  ${times(result.claimFailures)}`);
  const chats = new Set(turns.map((turn) => turn.chatId)).size;
  lines.push(
    `per-chat order  ${chats - chatsOutOfOrder(turns).length}/${chats} chats answered in the order they sent`,
  );
  const all = latencyByPhase(turns.map((turn) => ({ ...turn, phase: "before" as const })))[0];
  if (all) {
    lines.push(
      `latency (ms)    p50 ${ms(all.p50)}, p99 ${ms(all.p99)}, max ${ms(all.max)} (the model takes ${plan.modelDelayMs})`,
    );
  }
  lines.push(`bot error lines ${times(result.errorLines)}`);
  const { ok, failures } = rollingVerdict(result);
  lines.push(ok ? "result          PASS" : `result          FAIL: ${failures.join("; ")}`);
  return lines;
}
