import { itemType } from "./items";

/**
 * Items the Responses API only accepts together. A window of history (a trim, a read limit) may
 * start anywhere, so every cut must respect these pairs:
 * - a reasoning item and the item right after it (400 "…of type 'reasoning' was provided
 *   without its required following item", and the follower "…without its required
 *   'reasoning' item");
 * - a tool call and its output, linked by the call id (400 "No tool call found for function
 *   call output with call_id …").
 */
export type PairRole =
  | {
      /** A reasoning item: it pairs with the item right after it. */
      kind: "reasoning";
    }
  | {
      /** A tool call: it pairs with the output that has the same `link`. */
      kind: "call";
      /** The call id linking the call to its output. */
      link: string;
    }
  | {
      /** A tool output: it pairs with the call that has the same `link`. */
      kind: "output";
      /** The call id of the call it answers. */
      link: string;
    }
  | undefined;

/**
 * Tool call types and the field that links each to its output. The SDK's protocol
 * (`protocol.ModelItem` in `@openai/agents-core`) links by `callId` (tool search also carries
 * the wire's `call_id`); the Python era stored the Responses API's wire items (`call_id`;
 * an MCP approval request is answered by `approval_request_id`). A test fails when the SDK
 * brings a call or output type that is in neither table.
 */
export const TOOL_CALL_LINKS: Readonly<Record<string, readonly string[]>> = Object.freeze({
  function_call: ["callId", "call_id"],
  computer_call: ["callId", "call_id"],
  shell_call: ["callId", "call_id"],
  apply_patch_call: ["callId", "call_id"],
  program: ["callId", "call_id"],
  tool_search_call: ["callId", "call_id"],
  local_shell_call: ["call_id"],
  custom_tool_call: ["call_id"],
  mcp_approval_request: ["id"],
});

/** Tool output types and the field naming the call each answers (see {@link TOOL_CALL_LINKS}). */
export const TOOL_OUTPUT_LINKS: Readonly<Record<string, readonly string[]>> = Object.freeze({
  function_call_result: ["callId", "call_id"],
  function_call_output: ["call_id"],
  computer_call_result: ["callId", "call_id"],
  computer_call_output: ["call_id"],
  shell_call_output: ["callId", "call_id"],
  apply_patch_call_output: ["callId", "call_id"],
  program_output: ["callId", "call_id"],
  tool_search_output: ["callId", "call_id"],
  local_shell_call_output: ["call_id"],
  custom_tool_call_output: ["call_id"],
  mcp_approval_response: ["approval_request_id"],
});

const CALL_LINKS = new Map(Object.entries(TOOL_CALL_LINKS));
const OUTPUT_LINKS = new Map(Object.entries(TOOL_OUTPUT_LINKS));

function linkOf(item: object, fields: readonly string[]): string | undefined {
  for (const field of fields) {
    const value = (item as Record<string, unknown>)[field];
    if (typeof value === "string" && value !== "") return value;
  }
  return undefined;
}

/**
 * What pairing rule an item is under. A call or output without a link (a server-executed tool
 * search has `call_id: null`) pairs with nothing: no rule applies to it.
 */
export function pairRole(item: unknown): PairRole {
  const type = itemType(item);
  if (typeof type !== "string") return undefined;
  if (type === "reasoning") return { kind: "reasoning" };
  if (type === "hosted_tool_call") return hostedApprovalRole(item as HostedToolCall);
  const callFields = CALL_LINKS.get(type);
  if (callFields) {
    const link = linkOf(item as object, callFields);
    return link === undefined ? undefined : { kind: "call", link };
  }
  const outputFields = OUTPUT_LINKS.get(type);
  if (outputFields) {
    const link = linkOf(item as object, outputFields);
    return link === undefined ? undefined : { kind: "output", link };
  }
  return undefined;
}

interface HostedToolCall {
  id?: unknown;
  name?: unknown;
  providerData?: { type?: unknown; id?: unknown; approval_request_id?: unknown } | null;
}

/**
 * The SDK keeps a hosted MCP approval as a `hosted_tool_call` (`@openai/agents-openai` sends it
 * as the API's `mcp_approval_request` / `mcp_approval_response`): the request is the call
 * (`providerData.id`, else `id`), the response the output (`providerData.approval_request_id`).
 */
function hostedApprovalRole(item: HostedToolCall): PairRole {
  const data = item.providerData ?? undefined;
  const kind = typeof data?.type === "string" ? data.type : item.name;
  const link =
    kind === "mcp_approval_request"
      ? (data?.id ?? item.id)
      : kind === "mcp_approval_response"
        ? data?.approval_request_id
        : undefined;
  if (typeof link !== "string" || link === "") return undefined;
  return { kind: kind === "mcp_approval_request" ? "call" : "output", link };
}
