import { run } from "@openai/agents";
import { agent } from "./agent";
import { commandLine, openStorage } from "./storage";

// pnpm start "Please cancel my order 1042"
const message = process.argv[2] ?? "Please cancel my order 1042.";
const storage = await openStorage();
try {
  const result = await run(agent, message, { session: storage.session });
  if (result.interruptions.length === 0) {
    console.log(result.finalOutput);
  } else {
    // The run is paused, not lost: its whole state goes to Redis, and this process may exit.
    await storage.saveRunState(result.state.toString());
    for (const call of result.interruptions) {
      console.log(`Waiting for approval: ${call.name} ${call.arguments}`);
    }
    console.log("Approve or reject later, from any process:");
    console.log(`  ${commandLine("resume", "approve")}`);
    console.log(`  ${commandLine("resume", "reject")}`);
  }
} finally {
  await storage.close();
}
