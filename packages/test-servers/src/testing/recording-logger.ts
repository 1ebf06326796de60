/** One thing a logger was told. */
export interface LoggedLine {
  fields: Record<string, unknown>;
  message: string;
}

/** A `MemoryLogger` (warn, error) that keeps what it was told, for tests to assert on. */
export interface RecordingLogger {
  warnings: LoggedLine[];
  errors: LoggedLine[];
  warn(fields: Record<string, unknown>, message: string): void;
  error(fields: Record<string, unknown>, message: string): void;
}

/** A logger that keeps what it was told, so tests can assert a warning or error was given. */
export function recordingLogger(): RecordingLogger {
  const warnings: LoggedLine[] = [];
  const errors: LoggedLine[] = [];
  return {
    warnings,
    errors,
    warn: (fields, message) => warnings.push({ fields, message }),
    error: (fields, message) => errors.push({ fields, message }),
  };
}
