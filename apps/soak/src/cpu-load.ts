/** Keeps every core busy for a while: one worker thread per core, each spinning until a deadline. */

import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";

const SPIN = `
const { workerData } = require("node:worker_threads");
const end = Date.now() + workerData.ms;
let x = 0;
while (Date.now() < end) x = (x + Math.sqrt(x + 1)) % 1e9;
`;

/**
 * Spins `threads` (default: every core) worker threads for `ms` milliseconds and resolves when
 * they are done. The bot runs in another process and competes with them for the CPU.
 */
export async function loadCpu(ms: number, threads = availableParallelism()): Promise<void> {
  const workers = Array.from(
    { length: threads },
    () => new Worker(SPIN, { eval: true, workerData: { ms } }),
  );
  await Promise.all(
    workers.map(
      (worker) =>
        new Promise<void>((resolve, reject) => {
          worker.once("error", reject);
          worker.once("exit", () => resolve());
        }),
    ),
  );
}
