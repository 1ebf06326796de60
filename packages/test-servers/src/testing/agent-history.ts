import fc from "fast-check";

/*
 * Agent histories as varied as real ones, for property tests of window cuts: user messages;
 * answers with and without reasoning; steps of one to four parallel function and shell calls
 * whose outputs come back in any order; a last step that may still wait for some outputs. And
 * an independent model of the window rule to check every cut against (it shares no code with
 * core: it knows the items it generates by their types).
 */

/** An item as the SDK keeps it (`AgentInputItem`), typed loosely so any package can use it. */
export type HistoryItem = Record<string, unknown>;

const CALL_TYPES = new Set(["function_call", "shell_call"]);
const OUTPUT_TYPES = new Set(["function_call_result", "shell_call_output"]);

/** A short label for an item, for readable failures: `user u3`, `call c7`, `output c7`. */
export function itemLabel(item: HistoryItem): string {
  const type = item.type as string | undefined;
  if (type === "reasoning") return `reasoning ${item.id}`;
  if (type !== undefined && CALL_TYPES.has(type)) return `call ${item.callId}`;
  if (type !== undefined && OUTPUT_TYPES.has(type)) return `output ${item.callId}`;
  if (item.role === "user") return `user ${item.content}`;
  if (item.role === "assistant") return `answer ${item.id}`;
  return JSON.stringify(item);
}

/**
 * The window rule, by brute force: the longest suffix of `items` with at most `limit` items
 * that cuts no pair — the item before it is not a reasoning item (whose follower it holds), and
 * every output in it has its call before it in the suffix.
 */
export function modelWindow<T extends HistoryItem>(items: readonly T[], limit: number): T[] {
  const n = items.length;
  for (let k = Math.min(limit, n); k > 0; k--) {
    const start = n - k;
    if (start > 0 && items[start - 1]!.type === "reasoning") continue;
    const calls = new Set<unknown>();
    let whole = true;
    for (const item of items.slice(start)) {
      if (CALL_TYPES.has(item.type as string)) calls.add(item.callId);
      if (OUTPUT_TYPES.has(item.type as string) && !calls.has(item.callId)) {
        whole = false;
        break;
      }
    }
    if (whole) return items.slice(start);
  }
  return [];
}

/**
 * Why `window` is not one the Responses API accepts (an output without its call), or undefined.
 * A follower cut from its reasoning item cannot be seen in the window alone: `modelWindow`
 * covers that part.
 */
export function windowProblem(window: readonly HistoryItem[]): string | undefined {
  const calls = new Set<unknown>();
  for (const [index, item] of window.entries()) {
    if (CALL_TYPES.has(item.type as string)) calls.add(item.callId);
    if (OUTPUT_TYPES.has(item.type as string) && !calls.has(item.callId))
      return `${itemLabel(item)} at ${index} without its call`;
  }
  return undefined;
}

interface Counter {
  next: number;
}

const user = (n: number): HistoryItem => ({ role: "user", content: `u${n}` });
const answer = (n: number): HistoryItem => ({
  role: "assistant",
  id: `msg_${n}`,
  status: "completed",
  content: [{ type: "output_text", text: `answer ${n}` }],
});
const reasoning = (n: number): HistoryItem => ({ type: "reasoning", id: `rs_${n}`, content: [] });
const functionCall = (id: string): HistoryItem => ({
  type: "function_call",
  id: `fc_${id}`,
  callId: id,
  name: "lookup",
  arguments: "{}",
});
const functionOutput = (id: string): HistoryItem => ({
  type: "function_call_result",
  callId: id,
  name: "lookup",
  status: "completed",
  output: `out ${id}`,
});
const shellCall = (id: string): HistoryItem => ({
  type: "shell_call",
  id: `sh_${id}`,
  callId: id,
  status: "completed",
  action: { commands: ["date"] },
});
const shellOutput = (id: string): HistoryItem => ({
  type: "shell_call_output",
  callId: id,
  output: [{ stdout: id, stderr: "", outcome: { type: "exit", exitCode: 0 } }],
});

interface TurnShape {
  steps: Array<{ reasoning: boolean; shells: boolean[]; order: number[] }>;
  reasoning: boolean;
  waiting: number | null;
}

/** One step of tool use: the calls' shape, which are shell calls, and the outputs' order. */
const stepShape = fc.record({
  reasoning: fc.boolean(),
  shells: fc.array(fc.boolean(), { minLength: 1, maxLength: 4 }),
  order: fc.array(fc.nat(), { minLength: 4, maxLength: 4 }),
});

const turnShape: fc.Arbitrary<TurnShape> = fc.record({
  steps: fc.array(stepShape, { maxLength: 3 }),
  reasoning: fc.boolean(),
  // A turn cut off while waiting for outputs (how many of its last step's outputs came back).
  waiting: fc.option(fc.nat({ max: 3 }), { freq: 4 }),
});

function build(turns: TurnShape[]): HistoryItem[] {
  const counter: Counter = { next: 0 };
  const id = () => ++counter.next;
  const items: HistoryItem[] = [];
  for (const [t, turn] of turns.entries()) {
    items.push(user(id()));
    const last = t === turns.length - 1;
    for (const [s, step] of turn.steps.entries()) {
      if (step.reasoning) items.push(reasoning(id()));
      const calls = step.shells.map((shell) => ({ shell, id: `c${id()}` }));
      for (const call of calls) items.push(call.shell ? shellCall(call.id) : functionCall(call.id));
      // Outputs in any order: sort the calls by the step's random keys.
      const outputs = calls
        .map((call, i) => ({ call, key: step.order[i]! }))
        .sort((a, b) => a.key - b.key)
        .map(({ call }) => call);
      const waiting = last && s === turn.steps.length - 1 && turn.waiting !== null;
      const returned = waiting
        ? outputs.slice(0, Math.min(turn.waiting!, outputs.length - 1))
        : outputs;
      for (const call of returned)
        items.push(call.shell ? shellOutput(call.id) : functionOutput(call.id));
      if (waiting) return items;
    }
    if (turn.reasoning) items.push(reasoning(id()));
    items.push(answer(id()));
  }
  return items;
}

/** A whole agent history of one to `maxTurns` turns. */
export function agentHistory(maxTurns = 4): fc.Arbitrary<HistoryItem[]> {
  return fc.array(turnShape, { minLength: 1, maxLength: maxTurns }).map(build);
}

/** An agent history cut into batches of one to four items, as a session receives it. */
export function agentHistoryBatches(maxTurns = 4): fc.Arbitrary<HistoryItem[][]> {
  return fc
    .tuple(agentHistory(maxTurns), fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 64 }))
    .map(([items, sizes]) => {
      const batches: HistoryItem[][] = [];
      let at = 0;
      for (let i = 0; at < items.length; i++) {
        const size = sizes[i % sizes.length]!;
        batches.push(items.slice(at, at + size));
        at += size;
      }
      return batches;
    });
}

/**
 * How many runs a property test makes: `PROPERTY_RUNS` when set (the long run, e.g.
 * `PROPERTY_RUNS=2000`), else `quick` (what `pnpm check` runs).
 */
export function propertyRuns(quick: number): number {
  const set = Number(process.env.PROPERTY_RUNS);
  return Number.isSafeInteger(set) && set > 0 ? set : quick;
}
