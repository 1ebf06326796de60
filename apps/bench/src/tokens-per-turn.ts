import {
  DEFAULT_SUMMARY_INSTRUCTIONS,
  loadO200kCounter,
  MemoryStore,
  ReplySession,
  silentLogger,
} from "@agents-memory/core";
import { factKeepingSummary } from "@agents-memory/test-servers/openai";
import { startResponsesRunner } from "@agents-memory/test-servers/testing";
import { Agent } from "@openai/agents";

/*
 * Tokens sent to the model per turn over one long reply chain (the bot's flow: each turn
 * replies to the previous answer), with the real Runner against the local Responses API server
 * (it echoes), for: the count window (maxItems 50, the bot's default), a token window
 * (maxTokens 2000), the token window with a summary of what falls out (`summary`, everyTurns
 * 10; the server's summariser keeps the facts it is given), and the whole history (no
 * trimming). A fact is stated at turn 1; the line says in which windows it is still in the
 * model's input at the last turn. Counted with o200k over what the server received; the
 * summariser's own requests are counted apart (its input, per run).
 */

const FACT = "Fact: the launch code is PELICAN-42.";

interface Policy {
  name: string;
  maxItems: number;
  maxTokens?: number;
  summary?: boolean;
}

const POLICIES: Policy[] = [
  { name: "count window (maxItems 50)", maxItems: 50 },
  { name: "token window (maxTokens 2000)", maxItems: 100_000, maxTokens: 2000 },
  {
    name: "token window + summary",
    maxItems: 100_000,
    maxTokens: 2000,
    summary: true,
  },
  { name: "whole history", maxItems: 100_000 },
];

/** Prints one line per policy: tokens per turn (first, median, last, max, total). */
export async function printTokensPerTurn(
  turns: number,
  log: (line: string) => void = console.log,
): Promise<void> {
  const count = await loadO200kCounter();
  const { server, runner } = await startResponsesRunner();
  try {
    const agent = new Agent({ name: "bench", instructions: "Answer briefly." });
    const isSummary = (body: any) => body.instructions === DEFAULT_SUMMARY_INSTRUCTIONS;
    server.respondWith((body) => (isSummary(body) ? factKeepingSummary(body) : undefined));
    const tokensOf = (body: any) => {
      const input = Array.isArray(body.input) ? body.input : [body.input];
      return input.reduce((sum: number, item: any) => sum + count(item), 0);
    };
    log("");
    log(`tokens sent to the model per turn, ${turns} turns (o200k, local Responses API server):`);
    for (const policy of POLICIES) {
      const store = new MemoryStore({ sweepIntervalMs: 0, logger: silentLogger });
      const perTurn: number[] = [];
      let factAtEnd = false;
      const requestsBefore = server.requests.length;
      let replyTo: number | null = null;
      for (let turn = 1; turn <= turns; turn++) {
        const session: ReplySession = new ReplySession({
          store,
          chatId: 1,
          replyToMessageId: replyTo,
          maxItems: policy.maxItems,
          ...(policy.maxTokens === undefined ? {} : { maxTokens: policy.maxTokens }),
          ...(policy.summary ? { summary: { runner } } : {}),
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
        await session.flushSummary();
        replyTo = turn;
        const request = server.requests[before]!;
        perTurn.push(tokensOf(request));
        if (turn === turns) factAtEnd = JSON.stringify(request.input).includes("PELICAN-42");
      }
      const sorted = [...perTurn].sort((a, b) => a - b);
      const total = perTurn.reduce((sum, n) => sum + n, 0);
      const summaries = server.requests.slice(requestsBefore).filter(isSummary);
      const summarised = summaries.reduce((sum, body) => sum + tokensOf(body), 0);
      log(
        `  ${policy.name.padEnd(32)} first ${perTurn[0]}, median ${sorted[Math.floor(sorted.length / 2)]}, last ${perTurn.at(-1)}, max ${sorted.at(-1)}, total ${total}; turn-1 fact in the last input: ${factAtEnd ? "yes" : "no"}`,
      );
      if (policy.summary) {
        log(
          `  ${"  + the summariser".padEnd(32)} ${summaries.length} runs, input ${summarised} tokens in all (${summaries.length ? Math.round(summarised / summaries.length) : 0} a run); with the turns: ${total + summarised}`,
        );
      }
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
