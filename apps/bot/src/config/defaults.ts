/** Defaults a deployment inherits when a variable is not set. */
export const DEFAULTS = {
  telegramApiRoot: "https://api.telegram.org",
  commands: ["a", "gpt"],
  errorText: "Sorry, something went wrong while answering. Please try again later.",
  model: "gpt-4.1-mini",
  agentName: "Assistant",
  instructions: [
    "You are a helpful assistant in a Telegram chat.",
    "Each user message starts with the sender as `Name(username): `; a message the user",
    "replied to comes first, then a blank line, then the new message.",
    "Answer in the language of the question, concisely. You may use Markdown:",
    "**bold**, _italic_, `code`, ``` code blocks ``` and [links](https://example.com).",
  ].join("\n"),
  storeUrl: "memory://",
  ttlSeconds: 604_800,
  maxItems: 50,
  keyPrefix: "bot",
  webhookHost: "0.0.0.0",
  webhookPort: 8080,
  webhookPath: "/telegram",
  /** grammY's webhook adapter waits 10 s for a turn before it answers Telegram too. */
  webhookAckTimeoutMs: 10_000,
  mcpConnectTimeoutMs: 10_000,
  shutdownTimeoutMs: 60_000,
  /** How long a process's claim on an update lasts unless renewed (every third of it). */
  updateLeaseMs: 30_000,
  /** The stats line's period; 0 is off. */
  statsIntervalSeconds: 60,
  healthHost: "0.0.0.0",
  /** One model request (the OpenAI client's own default is 10 minutes). */
  modelTimeoutMs: 120_000,
  /** Retries of a failed or timed-out model request (the OpenAI client's default). */
  modelMaxRetries: 2,
} as const;

/** The value of `OPENAI_MODEL` (or the `--demo` flag) that selects the offline demo model. */
export const DEMO_MODEL = "demo";
