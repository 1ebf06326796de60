import { RunState, run } from "@openai/agents";
import { agent } from "./agent";
import { commandLine, openStorage, sessionId } from "./storage";

// pnpm resume approve | pnpm resume reject
const decision = process.argv[2];
if (decision !== "approve" && decision !== "reject") {
  console.error(`usage: ${commandLine("resume", "approve|reject")}`);
  process.exit(2);
}

const storage = await openStorage();
try {
  const saved = await storage.takeRunState();
  if (saved === undefined) {
    console.error(`No run is waiting for approval in session ${sessionId}.`);
    process.exitCode = 1;
  } else {
    const state = await RunState.fromString(agent, saved);
    const calls = state.getInterruptions();
    for (const call of calls) {
      if (decision === "approve") state.approve(call);
      else state.reject(call);
      const verb = decision === "approve" ? "Approved" : "Rejected";
      console.log(`${verb}: ${call.name} ${call.arguments}`);
    }
    try {
      // The same session: the resumed turn is appended to the conversation it paused in.
      const result = await run(agent, state, { session: storage.session });
      if (result.interruptions.length > 0) {
        await storage.saveRunState(result.state.toString());
        console.log(
          `The agent asks for another approval: ${commandLine("resume", "approve|reject")}`,
        );
      } else {
        console.log(result.finalOutput);
      }
    } catch (error) {
      // Resuming the same state again would run the decided calls again. Put the run back only
      // when none of their results reached the session: then nothing ran.
      const callIds = new Set(calls.map((call) => (call.rawItem as { callId?: string }).callId));
      const items = await storage.session.getItems().catch((checkError) => {
        console.error("Could not read the session to see whether the calls ran:", checkError);
        return undefined;
      });
      const ran = items?.some(
        (item) => item.type === "function_call_result" && callIds.has(item.callId),
      );
      if (ran === undefined) {
        console.error("The paused run is not put back: check the conversation before retrying.");
      } else if (ran) {
        console.error("The decision was applied, but the run failed after it.");
        console.error(`Send a new message to go on: ${commandLine("start", '"<message>"')}`);
      } else {
        await storage.saveRunState(saved);
        console.error("Nothing ran: send the decision again.");
      }
      throw error;
    }
  }
} finally {
  await storage.close();
}
