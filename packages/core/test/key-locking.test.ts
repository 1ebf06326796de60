import { describe, expect, test } from "vitest";
import {
  KEY_LOCKING_SCRIPTS,
  KEY_LOCKING_SHEBANG,
  REDIS_SCRIPTS,
  type RedisCommands,
  runScript,
} from "../src/redis";

/** Commands that record each EVAL's script and answer 1 (or `answer`'s throw). */
function recording(
  keyLocking: boolean,
  answer: (lua: string) => unknown = () => 1,
): { commands: RedisCommands; sent: string[] } {
  const sent: string[] = [];
  const commands: RedisCommands = {
    keyLocking,
    loadedScripts: new Set(),
    evalsha: async () => {
      throw new Error("NOSCRIPT");
    },
    eval: async (lua) => {
      sent.push(lua);
      return answer(lua);
    },
    lrange: async () => [],
    time: async () => 0,
  };
  return { commands, sent };
}

describe("Upstash's allow-key-locking flag", () => {
  test("every script but the chained read carries it on Upstash", async () => {
    const { commands, sent } = recording(true);
    for (const name of ["forkChain", "read", "write", "usageAdd", "readChain", "append"] as const) {
      await runScript(commands, REDIS_SCRIPTS[name], ["k"], []);
    }
    const flagged = sent.map((lua) => lua.startsWith(`${KEY_LOCKING_SHEBANG}\n`));
    expect(flagged).toEqual([true, true, true, true, false, true]);
    // The rest of the body is the script Redis runs, told it runs key-locked.
    expect(sent[0]!.slice(KEY_LOCKING_SHEBANG.length + 1)).toBe(
      REDIS_SCRIPTS.forkChain.lua.replace("KEY_LOCKED = false", "KEY_LOCKED = true"),
    );
  });

  test("a change in place refused under the flag (a key that links to its parent) runs again without it; any other error does not", async () => {
    const refusing = (lua: string) => {
      if (lua.startsWith("#!")) throw new Error("KEYLOCKED the key links to its parent");
      return ["ok", ""];
    };
    const { commands, sent } = recording(true, refusing);
    expect(await runScript(commands, REDIS_SCRIPTS.append, ["k"], [])).toEqual(["ok", ""]);
    expect(sent.map((lua) => lua.startsWith("#!"))).toEqual([true, false]);
    // The flagged body knows it runs key-locked; the plain one does not.
    expect(sent[0]).toContain("local KEY_LOCKED = true");
    expect(sent[1]).toContain("local KEY_LOCKED = false");
    const failing = recording(true, () => {
      throw new Error("DEADLINE the write arrived after its deadline");
    });
    await expect(runScript(failing.commands, REDIS_SCRIPTS.append, ["k"], [])).rejects.toThrow(
      /DEADLINE/,
    );
    expect(failing.sent).toHaveLength(1);
  });

  test("Redis never gets it (Redis 7 refuses an unknown shebang flag)", async () => {
    const { commands, sent } = recording(false);
    for (const name of KEY_LOCKING_SCRIPTS) {
      await runScript(commands, REDIS_SCRIPTS[name], ["k"], []);
    }
    expect(sent.some((lua) => lua.startsWith("#!"))).toBe(false);
  });
});
