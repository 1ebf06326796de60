/** Test helpers shared by every package's tests: a recording logger, timing, the
 * packed-package check (README example run from the tarballs), agent histories for property
 * tests of window cuts, and fixtures (a redis-server with a raw reader, the local Responses API
 * with its Runner, a store call's failure). */

export {
  agentHistory,
  agentHistoryBatches,
  type HistoryItem,
  itemLabel,
  modelWindow,
  propertyRuns,
  windowProblem,
} from "./agent-history";
export {
  type AtDistance,
  type FrontServer,
  startAtDistance,
} from "./at-distance";
export {
  type EvictionResult,
  type EvictionStore,
  evictionScenario,
  expectEvictionReported,
} from "./eviction";
export { whileLegacyStringChanges } from "./legacy-race";
export {
  expectExampleOutcome,
  type PackedProject,
  type PackedProjectOptions,
  packedProject,
  type RawRedisReader,
} from "./packed";
export { type LoggedLine, type RecordingLogger, recordingLogger } from "./recording-logger";
export { type RedisWithReader, startRedisWithReader } from "./redis-reader";
export {
  expectEveryTurnKept,
  replyTurns,
  type TurnRecord,
  type TurnStores,
  turnItems,
} from "./reply-turns";
export { type ResponsesRunner, startResponsesRunner } from "./responses-runner";
export { expectUnansweredCalls, storeErrorOf, whileOutOfMemory } from "./store-failure";
export { timed, until } from "./timing";
