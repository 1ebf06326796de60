import type { Logger } from "./logger";
import { markdownToTelegramParts, plainTextParts } from "./render/telegram-parts";
import { isParseEntitiesError } from "./send-reply";

/**
 * Least time between two drafts of one answer, in ms. Telegram documents no limit for drafts;
 * this is its advice for messages to one chat (about one a second). A 429 waits longer.
 */
export const DRAFT_INTERVAL_MS = 1_000;
/** How long `stop()` lets a draft already on its way finish before it is cancelled. */
const DRAFT_SETTLE_MS = 2_000;

/** Sends one draft: `text` as HTML (`parseMode`) or plain. Rejects with the Bot API's error. */
export type SendDraft = (
  text: string,
  parseMode: "HTML" | undefined,
  signal: AbortSignal,
) => Promise<void>;

export interface DraftStreamOptions {
  send: SendDraft;
  /** As the final message will be sent: Markdown rendered to Telegram HTML, or plain text. */
  parseMode: "html" | "plain";
  logger: Logger;
  intervalMs?: number;
}

/**
 * An answer shown while it is written (sendMessageDraft): `update()` gives the text so far,
 * at most one draft goes out per interval with the newest text, and a 429 pauses drafts for
 * its `retry_after` (a draft is never retried: a newer text is waiting by then). The draft
 * shows the part of the answer being written, rendered as the final message will be. A draft
 * that fails otherwise ends the drafts of this answer (logged); the answer still comes.
 * `stop()` before sending the final message: no draft goes out after it.
 */
export class DraftStream {
  readonly #options: DraftStreamOptions;
  readonly #intervalMs: number;
  readonly #abort = new AbortController();
  #latest = "";
  #shown = "";
  #nextAt = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #inFlight: Promise<void> | undefined;
  #stopped = false;
  #plain: boolean;
  /** Drafts Telegram accepted. */
  sent = 0;

  constructor(options: DraftStreamOptions) {
    this.#options = options;
    this.#intervalMs = options.intervalMs ?? DRAFT_INTERVAL_MS;
    this.#plain = options.parseMode === "plain";
  }

  /** The answer's text so far (Markdown, as the model writes it). */
  update(text: string): void {
    this.#latest = text;
    this.#schedule();
  }

  /** No draft after this; a draft on its way gets DRAFT_SETTLE_MS to finish, then is cancelled. */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    const inFlight = this.#inFlight;
    if (!inFlight) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([
      inFlight,
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, DRAFT_SETTLE_MS);
      }),
    ]);
    clearTimeout(timer);
    this.#abort.abort();
    await inFlight;
  }

  #schedule(): void {
    if (this.#stopped || this.#inFlight || this.#timer) return;
    if (this.#latest.trim() === "" || this.#latest === this.#shown) return;
    const wait = this.#nextAt - Date.now();
    if (wait > 0) {
      this.#timer = setTimeout(() => {
        this.#timer = undefined;
        this.#schedule();
      }, wait);
      return;
    }
    const text = this.#latest;
    this.#inFlight = this.#send(text).finally(() => {
      this.#inFlight = undefined;
      this.#schedule();
    });
  }

  async #send(text: string): Promise<void> {
    const { logger } = this.#options;
    try {
      const draft = this.#render(text);
      await this.#options.send(draft.text, draft.parseMode, this.#abort.signal);
      this.#shown = text;
      this.sent++;
      this.#nextAt = Date.now() + this.#intervalMs;
    } catch (error) {
      if (this.#abort.signal.aborted) return;
      const retryAfter = retryAfterSeconds(error);
      if (retryAfter !== undefined) {
        this.#nextAt = Date.now() + retryAfter * 1000;
        logger.debug({ retry_after: retryAfter }, "draft rate-limited; the next one waits");
      } else if (!this.#plain && isParseEntitiesError(error)) {
        // The rendered HTML of a half-written answer was refused: go on in plain text.
        this.#plain = true;
        this.#nextAt = Date.now() + this.#intervalMs;
      } else {
        this.#stopped = true;
        logger.warn({ err: error }, "streaming the answer failed; it is sent when complete");
      }
    }
  }

  /** The part of the answer being written, as the final message will show it. */
  #render(markdown: string): { text: string; parseMode: "HTML" | undefined } {
    if (!this.#plain) {
      try {
        const part = markdownToTelegramParts(markdown).at(-1);
        if (part) return { text: part.html, parseMode: "HTML" };
      } catch {
        // Markdown the renderer cannot take: shown plain, as the final message would be.
      }
    }
    return { text: plainTextParts(markdown).at(-1) ?? "", parseMode: undefined };
  }
}

/** A 429's `retry_after` in seconds (the Bot API's `parameters.retry_after`), if it is one. */
function retryAfterSeconds(error: unknown): number | undefined {
  const value = (error as { parameters?: { retry_after?: unknown } })?.parameters?.retry_after;
  return typeof value === "number" && value >= 0 ? value : undefined;
}
