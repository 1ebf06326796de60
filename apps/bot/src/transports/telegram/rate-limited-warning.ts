import type { Logger } from "../../logger";

/**
 * A warning that outside callers can repeat without bound (requests with a wrong webhook
 * secret): the first occurrence is logged at once, the ones after it are counted and logged as
 * one line with `count` when the interval ends, so at most one line per interval.
 */
export class RateLimitedWarning {
  readonly #logger: Logger;
  readonly #message: string;
  readonly #intervalMs: number;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #count = 0;
  #fields: Record<string, unknown> = {};

  constructor(logger: Logger, message: string, intervalMs: number) {
    this.#logger = logger;
    this.#message = message;
    this.#intervalMs = intervalMs;
  }

  hit(fields: Record<string, unknown>): void {
    if (this.#timer === undefined) {
      this.#logger.warn({ ...fields, count: 1 }, this.#message);
      this.#startWindow();
      return;
    }
    this.#count++;
    this.#fields = fields;
  }

  /** Logs what is counted and not yet logged (at shutdown). */
  flush(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#report();
  }

  #startWindow(): void {
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      // Something to report: log it and keep counting for one more interval.
      if (this.#report()) this.#startWindow();
    }, this.#intervalMs);
    this.#timer.unref();
  }

  #report(): boolean {
    if (this.#count === 0) return false;
    this.#logger.warn(
      { ...this.#fields, count: this.#count, interval_s: Math.round(this.#intervalMs / 1000) },
      this.#message,
    );
    this.#count = 0;
    return true;
  }
}
