/** A running transport: Telegram (polling or webhook) or the console. */
export interface Transport {
  /** Settles when the transport ends on its own (console EOF, the runner crashing). */
  done: Promise<void>;
  /** Stops taking messages and waits for the turns in flight. Idempotent. */
  stop(): Promise<void>;
  /** The webhook's bound port (webhook mode only). */
  port?: number;
}
