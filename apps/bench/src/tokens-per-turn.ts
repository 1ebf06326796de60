import { loadO200kCounter, MemoryStore, ReplySession, silentLogger } from "@agents-memory/core";
import { startResponsesServer } from "@agents-memory/test-servers/openai";
import { Agent, OpenAIProvider, Runner, setTracingDisabled } from "@openai/agents";

/*
 * Tokens sent to the model per turn over one long reply chain (the bot's flow: each turn
 * replies to the previous answer), with the real Runner against the local Responses API server
 * (it echoes), for: the count window (maxItems 50, the bot's default), a token window
 * (maxTokens 2000), and the whole history (no trimming). A fact is stated at turn 1; the line
 * says in which windows it is still in the model's input at the last turn. Counted with o200k
 * over what the server received.
 */

const FACT = "The launch code is PELICAN-42.";

interface Policy {
  name: string;
  maxItems: number;
  maxTokens?: number;
}

const POLICIES: Policy[] = [
  { name: "count window (maxItems 50)", maxItems: 50 },
  { name: "token window (maxTokens 2000)", maxItems: 100_000, maxTokens: 2000 },
  { name: "whole history", maxItems: 100_000 },
];

/** Prints one line per policy: tokens per turn (first, median, last, max, total). */
export async function printTokensPerTurn(
  turns: number,
  log: (line: string) => void = console.log,
): Promise<void> {
  setTracingDisabled(true);
  const count = await loadO200kCounter();
  const server = await startResponsesServer();
  try {
    const runner = new Runner({
      tracingDisabled: true,
      modelProvider: new OpenAIProvider({
        apiKey: server.apiKey,
        baseURL: server.baseURL,
        useResponses: true,
      }),
      model: "gpt-test",
    });
    const agent = new Agent({ name: "bench", instructions: "Answer briefly." });
    log("");
    log(`tokens sent to the model per turn, ${turns} turns (o200k, local Responses API server):`);
    for (const policy of POLICIES) {
      const store = new MemoryStore({ sweepIntervalMs: 0, logger: silentLogger });
      const perTurn: number[] = [];
      let factAtEnd = false;
      let replyTo: number | null = null;
      for (let turn = 1; turn <= turns; turn++) {
        const session: ReplySession = new ReplySession({
          store,
          chatId: 1,
          replyToMessageId: replyTo,
          maxItems: policy.maxItems,
          ...(policy.maxTokens === undefined ? {} : { maxTokens: policy.maxTokens }),
          filter: {},
          logger: silentLogger,
        });
        const text =
          turn === 1
            ? FACT
            : `Turn ${turn}: ${"please keep this in mind as well. ".repeat(turn % 7)}`;
        const before = server.requests.length;
        await runner.run(agent, text, { session });
        await session.persist(turn);
        replyTo = turn;
        const request = server.requests[before]!;
        const input = Array.isArray(request.input) ? request.input : [request.input];
        perTurn.push(input.reduce((sum: number, item: any) => sum + count(item), 0));
        if (turn === turns) factAtEnd = JSON.stringify(input).includes("PELICAN-42");
      }
      const sorted = [...perTurn].sort((a, b) => a - b);
      const total = perTurn.reduce((sum, n) => sum + n, 0);
      log(
        `  ${policy.name.padEnd(32)} first ${perTurn[0]}, median ${sorted[Math.floor(sorted.length / 2)]}, last ${perTurn.at(-1)}, max ${sorted.at(-1)}, total ${total}; turn-1 fact in the last input: ${factAtEnd ? "yes" : "no"}`,
      );
    }
  } finally {
    await server.close();
  }
}

if (process.argv[1]?.endsWith("tokens-per-turn.ts")) {
  printTokensPerTurn(Number(process.argv[2] ?? 200)).catch((error) => {
    console.error(error);
    process.exitCode = 1;
  });
}
