/**
 * `pnpm soak [--quick] [--store redis|upstash|cluster] [--chats N] [--turns M]`: prints the
 * report and exits 1 when the run broke a promise (see report.ts), 2 on a usage error or when
 * the run could not finish within its time bound.
 */

import { parseArgs } from "node:util";
import { planFor, STORE_VARIANTS, type StoreVariant } from "./plan";
import { formatReport, formatRollingReport, rollingVerdict, verdict } from "./report";
import { ROLLING_FULL, ROLLING_QUICK, runRolling } from "./rolling";
import { type Cleanup, runSoak } from "./soak";

const USAGE = "usage: pnpm soak [--quick] [--store redis|upstash|cluster] [--chats N] [--turns M]";

function positive(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer`);
  return n;
}

async function main(): Promise<number> {
  let plan: ReturnType<typeof planFor>;
  try {
    const { values } = parseArgs({
      options: {
        quick: { type: "boolean", default: false },
        store: { type: "string", default: "redis" },
        chats: { type: "string" },
        turns: { type: "string" },
      },
    });
    if (!STORE_VARIANTS.includes(values.store as StoreVariant)) {
      throw new Error(`--store must be one of ${STORE_VARIANTS.join(", ")}`);
    }
    plan = planFor({
      quick: values.quick,
      store: values.store as StoreVariant,
      chats: positive("chats", values.chats),
      turns: positive("turns", values.turns),
    });
  } catch (error) {
    console.error(`${(error as Error).message}\n${USAGE}`);
    return 2;
  }

  let cleanup: Cleanup | undefined;
  let maxRunMs = plan.maxRunMs;
  const abandon = async (why: string) => {
    console.error(`soak abandoned: ${why}; stopping the bot and the servers`);
    await cleanup?.();
    process.exit(2);
  };
  let watchdog = setTimeout(
    () => void abandon(`still running after ${maxRunMs / 1000} s`),
    maxRunMs,
  );
  process.once("SIGINT", () => void abandon("interrupted"));
  process.once("SIGTERM", () => void abandon("terminated"));
  try {
    const result = await runSoak(plan, (c) => {
      cleanup = c;
    });
    for (const line of formatReport(result)) console.log(line);

    // Then two instances on one store through a rolling restart, polling, then webhook mode
    // with a crash (see rolling.ts).
    let ok = verdict(result).ok;
    for (const transport of ["polling", "webhook"] as const) {
      const rollingPlan = {
        ...(plan.mode === "quick" ? ROLLING_QUICK : ROLLING_FULL),
        store: plan.store,
        transport,
      };
      clearTimeout(watchdog);
      maxRunMs = rollingPlan.maxRunMs;
      watchdog = setTimeout(
        () => void abandon(`still running after ${maxRunMs / 1000} s`),
        maxRunMs,
      );
      console.log("");
      const rolling = await runRolling(rollingPlan, (c) => {
        cleanup = c;
      });
      for (const line of formatRollingReport(rolling)) console.log(line);
      ok &&= rollingVerdict(rolling).ok;
    }
    return ok ? 0 : 1;
  } finally {
    clearTimeout(watchdog);
  }
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error("soak failed:", error);
    process.exit(2);
  },
);
