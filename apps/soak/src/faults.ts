/**
 * The fault schedule: on the run's clock, Redis is frozen (SIGSTOP) and let go (SIGCONT), then
 * killed (SIGKILL) and restarted on the same port, then (in the full run) every core is kept
 * busy. Each step names the phase the turns sent from then on belong to; a checkpoint (the
 * ghost-write check) runs before the kill, which empties Redis, and after the restart.
 */

import type { FaultTarget } from "./backend";
import { loadCpu } from "./cpu-load";
import type { SoakPlan } from "./plan";

export type PhaseName =
  | "before"
  | "paused"
  | "resumed"
  | "killed"
  | "restarted"
  | "cpu load"
  | "after";

export interface FaultHooks {
  /** Turns sent from now on belong to this phase. */
  phase(name: PhaseName): void;
  /** Checks, in Redis, what landed so far. */
  checkpoint(name: string): Promise<void>;
  /** The store just lost its keys (killed; there is no persistence). */
  wiped(): void;
  /** For the report: what happened when (ms since the start). */
  event(text: string): void;
}

/** Sleeps until `atMs` after `startedAt` (at once when that is past). */
function until(startedAt: number, atMs: number): Promise<void> {
  const wait = startedAt + atMs - Date.now();
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, wait)));
}

export async function runFaults(
  plan: SoakPlan,
  target: FaultTarget,
  startedAt: number,
  hooks: FaultHooks,
): Promise<void> {
  hooks.phase("before");

  await until(startedAt, plan.pause.atMs);
  target.pause();
  hooks.phase("paused");
  hooks.event(`${target.name} paused (SIGSTOP)`);
  await until(startedAt, plan.pause.atMs + plan.pause.forMs);
  target.resume();
  hooks.phase("resumed");
  hooks.event(`${target.name} resumed (SIGCONT)`);

  await until(startedAt, plan.kill.atMs);
  await hooks.checkpoint("before the kill");
  await target.kill();
  hooks.wiped();
  hooks.phase("killed");
  hooks.event(`${target.name} killed (SIGKILL)`);
  await until(startedAt, plan.kill.atMs + plan.kill.downMs);
  await target.restart();
  hooks.phase("restarted");
  hooks.event(`${target.name} restarted on the same port`);

  if (!plan.cpu) return;
  await until(startedAt, plan.cpu.atMs);
  await hooks.checkpoint("after the restart");
  hooks.phase("cpu load");
  hooks.event(`CPU load on every core for ${plan.cpu.forMs} ms`);
  await loadCpu(plan.cpu.forMs);
  hooks.phase("after");
  hooks.event("CPU load over");
}
