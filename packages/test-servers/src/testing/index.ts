/** Test helpers shared by every package's tests: a recording logger, timing, and the
 * packed-package check (README example run from the tarballs). */

export {
  expectExampleOutcome,
  type PackedProject,
  type PackedProjectOptions,
  packedProject,
  type RawRedisReader,
} from "./packed";
export { type LoggedLine, type RecordingLogger, recordingLogger } from "./recording-logger";
export { timed, until } from "./timing";
