/** Test helpers shared by every package's tests: a recording logger, timing, and the
 * packed-package check (README example run from the tarballs). */

export { type PackedProject, type PackedProjectOptions, packedProject } from "./packed";
export { type LoggedLine, type RecordingLogger, recordingLogger } from "./recording-logger";
export { timed, until } from "./timing";
