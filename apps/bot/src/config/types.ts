export type StoreConfig =
  | { kind: "memory" }
  | { kind: "redis"; url: string }
  | {
      kind: "redis-cluster";
      nodes: { host: string; port: number }[];
      username: string | undefined;
      password: string | undefined;
      tls: boolean;
      url: string;
    }
  | { kind: "upstash"; url: string; token: string };

export interface McpServerConfig {
  name: string;
  command: string;
  args: string[];
  env?: Record<string, string>;
  cwd?: string;
}

export interface Config {
  /** Where the bot talks: Telegram (a token is set) or the terminal. */
  transport: "telegram" | "console";
  telegram: {
    token: string | undefined;
    apiRoot: string;
    mode: "polling" | "webhook";
    webhook: {
      secret: string | undefined;
      host: string;
      port: number;
      path: string;
      /** Public URL to register with setWebhook at start; unset: register it yourself. */
      url: string | undefined;
      /** How long a request is held open while its turn runs, in ms; 0 acknowledges at once. */
      ackTimeoutMs: number;
    };
  };
  bot: {
    /** Agent commands without the slash, lowercase. */
    commands: string[];
    /** Allowed chat ids; empty allows every chat. */
    whitelist: number[];
    errorText: string;
    parseMode: "html" | "plain";
    /** Show answers while they are written (sendMessageDraft), in private chats. */
    streamAnswers: boolean;
  };
  model: {
    /** "demo" is the offline demo model. */
    name: string;
    demo: boolean;
    /** Why the demo model was chosen, for the banner: asked for, or nothing configured. */
    demoReason: "requested" | "unconfigured" | undefined;
    apiKey: string | undefined;
    baseURL: string | undefined;
    api: "responses" | "chat";
    /** One model request's budget, in ms (the client retries a timed-out request twice). */
    timeoutMs: number;
  };
  agent: {
    name: string;
    instructions: string;
    mcpServers: McpServerConfig[];
    mcpConnectTimeoutMs: number;
  };
  memory: {
    store: StoreConfig;
    ttlSeconds: number;
    maxItems: number;
    /** Most tokens (o200k) of history sent to the model; undefined: by count only. */
    maxTokens: number | undefined;
    /**
     * A summary of what falls out of the window, kept at its head and written by the bot's
     * model (`summary` of the library's sessions); off unless set.
     */
    summary: boolean;
    /** Tokens (input + output) each user may spend per UTC day; undefined: no budget. */
    dailyTokenBudget: number | undefined;
    keyPrefix: string;
    /** Budget of one store call, in ms (a turn's write gets core's 3000): 1000 unless set. */
    timeoutMs: number;
  };
  console: { chatId: number | undefined };
  health: {
    /** Seconds between stats lines; 0: none. */
    statsIntervalSeconds: number;
    /** A port serving `GET /healthz` on its own (polling mode); unset: none. */
    port: number | undefined;
    host: string;
  };
  logLevel: string;
  shutdownTimeoutMs: number;
  /**
   * How long this process's claim on an update lasts unless renewed, in ms: after a crash,
   * another process sharing the store answers the update after at most this long.
   */
  updateLeaseMs: number;
  /** Notes for the start-up log (e.g. an empty allowlist, an Upstash URL left unused). */
  warnings: string[];
}
