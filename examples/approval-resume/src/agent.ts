import { Agent, tool } from "@openai/agents";
import { z } from "zod";

// Both processes build the same agent: RunState.fromString needs it to restore a run.
const cancelOrder = tool({
  name: "cancel_order",
  description: "Cancels a customer's order.",
  parameters: z.object({ orderId: z.string() }),
  // The run stops before this tool runs, until someone approves or rejects the call.
  needsApproval: true,
  // A real app calls its order system here.
  execute: async ({ orderId }) => `order ${orderId} is cancelled`,
});

export const agent = new Agent({
  name: "Support",
  instructions: "You help customers with their orders. Answer briefly.",
  model: process.env.OPENAI_MODEL,
  tools: [cancelOrder],
});
