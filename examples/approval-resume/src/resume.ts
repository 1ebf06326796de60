import { RunState, run } from "@openai/agents";
import { agent } from "./agent";
import { openStorage, sessionId } from "./storage";

// pnpm resume approve | pnpm resume reject
const decision = process.argv[2];
if (decision !== "approve" && decision !== "reject") {
  console.error("usage: pnpm resume approve|reject");
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
    for (const call of state.getInterruptions()) {
      if (decision === "approve") state.approve(call);
      else state.reject(call);
      console.log(
        `${decision === "approve" ? "Approved" : "Rejected"}: ${call.name} ${call.arguments}`,
      );
    }
    try {
      // The same session: the resumed turn is appended to the conversation it paused in.
      const result = await run(agent, state, { session: storage.session });
      if (result.interruptions.length > 0) {
        await storage.saveRunState(result.state.toString());
        console.log("The agent asks for another approval: run pnpm resume again.");
      } else {
        console.log(result.finalOutput);
      }
    } catch (error) {
      // Put the run back so the decision can be retried, then fail loudly.
      await storage.saveRunState(saved);
      throw error;
    }
  }
} finally {
  await storage.close();
}
