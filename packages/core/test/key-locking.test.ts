import { describe, expect, test } from "vitest";
import {
  KEY_LOCKING_SCRIPTS,
  KEY_LOCKING_SHEBANG,
  REDIS_SCRIPTS,
  type RedisCommands,
  runScript,
} from "../src/redis";

/** Commands that record each EVAL's script and answer 1. */
function recording(keyLocking: boolean): { commands: RedisCommands; sent: string[] } {
  const sent: string[] = [];
  const commands: RedisCommands = {
    keyLocking,
    loadedScripts: new Set(),
    evalsha: async () => {
      throw new Error("NOSCRIPT");
    },
    eval: async (lua) => {
      sent.push(lua);
      return 1;
    },
    lrange: async () => [],
    time: async () => 0,
  };
  return { commands, sent };
}

describe("Upstash's allow-key-locking flag", () => {
  test("a reply's fork and the single-key scripts carry it on Upstash; the chained read and the changes in place do not", async () => {
    const { commands, sent } = recording(true);
    for (const name of ["forkChain", "read", "write", "usageAdd", "readChain", "append"] as const) {
      await runScript(commands, REDIS_SCRIPTS[name], ["k"], []);
    }
    const flagged = sent.map((lua) => lua.startsWith(`${KEY_LOCKING_SHEBANG}\n`));
    expect(flagged).toEqual([true, true, true, true, false, false]);
    // The rest of the body is the script Redis runs.
    expect(sent[0]!.slice(KEY_LOCKING_SHEBANG.length + 1)).toBe(REDIS_SCRIPTS.forkChain.lua);
  });

  test("Redis never gets it (Redis 7 refuses an unknown shebang flag)", async () => {
    const { commands, sent } = recording(false);
    for (const name of KEY_LOCKING_SCRIPTS) {
      await runScript(commands, REDIS_SCRIPTS[name], ["k"], []);
    }
    expect(sent.some((lua) => lua.startsWith("#!"))).toBe(false);
  });
});
