import type { AgentInputItem } from "@openai/agents";

/** A user message item, as the SDK builds it from a string input. */
export function userItem(text: string): AgentInputItem {
  return { role: "user", content: text } as AgentInputItem;
}

/** A completed assistant message item; `id` as the Responses API gives it. */
export function assistantItem(text: string, id?: string): AgentInputItem {
  return {
    role: "assistant",
    status: "completed",
    ...(id ? { id } : {}),
    content: [{ type: "output_text", text }],
  } as AgentInputItem;
}

/** Each item's visible text (or `<type>` for an item without content). */
export function texts(items: AgentInputItem[]): string[] {
  return items.map((item) => {
    const content = (item as { content?: unknown }).content;
    if (typeof content === "string") return content;
    if (Array.isArray(content)) return content.map((part) => part.text).join("");
    return `<${(item as { type?: string }).type}>`;
  });
}

/** `count` user items `${prefix}0`, `${prefix}1`, … */
export function numbered(prefix: string, count: number): AgentInputItem[] {
  return Array.from({ length: count }, (_, index) => userItem(`${prefix}${index}`));
}

/** A function_call item of the tool `lookup`, as the SDK stores one. */
export function toolCall(callId: string, args = "{}"): AgentInputItem {
  return {
    type: "function_call",
    id: `fc_${callId}`,
    callId,
    name: "lookup",
    arguments: args,
  } as AgentInputItem;
}

/** The function_call_result that answers {@link toolCall} `callId`. */
export function toolResult(callId: string): AgentInputItem {
  return {
    type: "function_call_result",
    callId,
    name: "lookup",
    status: "completed",
    output: "ok",
  } as AgentInputItem;
}
