/** Test helpers shared by every package's tests: a recording logger, timing, the
 * packed-package check (README example run from the tarballs), and agent histories for
 * property tests of window cuts. */

export {
  agentHistory,
  agentHistoryBatches,
  type HistoryItem,
  itemLabel,
  modelWindow,
  propertyRuns,
  windowProblem,
} from "./agent-history";
export { type EvictionResult, evictionScenario } from "./eviction";
export {
  expectExampleOutcome,
  type PackedProject,
  type PackedProjectOptions,
  packedProject,
  type RawRedisReader,
} from "./packed";
export { type LoggedLine, type RecordingLogger, recordingLogger } from "./recording-logger";
export { replyTurns, type TurnRecord, type TurnStores, turnItems } from "./reply-turns";
export { type ResponsesRunner, startResponsesRunner } from "./responses-runner";
export { timed, until } from "./timing";
