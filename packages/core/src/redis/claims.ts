import type { ClaimResult } from "../store/claims";
import type { RedisCommands } from "./commands";
import { REDIS_SCRIPTS, runScript } from "./script-runner";

/** The claim scripts (see CLAIM in `./lua`) over one key, each one round trip. */

export async function claimLayout(
  commands: RedisCommands,
  key: string,
  holder: string,
  leaseMs: number,
  deadline: number,
): Promise<ClaimResult> {
  const reply = await runScript(commands, REDIS_SCRIPTS.claim, [key], [deadline, holder, leaseMs]);
  if (Array.isArray(reply)) {
    const [state, by] = reply as unknown[];
    if (state === "claimed" || state === "done") return { state };
    if (state === "held" && typeof by === "string") return { state, holder: by };
  }
  throw new Error(`unexpected claim reply: ${JSON.stringify(reply)}`);
}

/** RENEW_CLAIM, FINISH_CLAIM or RELEASE_CLAIM: true when the claim was `holder`'s. */
export async function claimStepLayout(
  commands: RedisCommands,
  step: "renewClaim" | "finishClaim" | "releaseClaim",
  key: string,
  args: readonly (string | number)[],
  deadline: number,
): Promise<boolean> {
  const reply = await runScript(commands, REDIS_SCRIPTS[step], [key], [deadline, ...args]);
  if (reply === 1 || reply === 0) return reply === 1;
  throw new Error(`unexpected ${step} reply: ${JSON.stringify(reply)}`);
}
