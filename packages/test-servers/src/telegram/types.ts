/** The Bot API objects this server produces and the server's own interface (its options, its
 * record of calls, the test-side actions and fault injection). */

export interface TelegramServerOptions {
  /** Bot token the server accepts. Default "123456:TEST-TOKEN". */
  token?: string;
  /** Default "memory_test_bot". */
  botUsername?: string;
  /** Default 123456. */
  botId?: number;
  /** Default "Memory Test Bot". */
  botFirstName?: string;
  /** Port on 127.0.0.1; default a free one chosen by the OS. */
  port?: number;
}

export interface User {
  id: number;
  is_bot: boolean;
  first_name: string;
  last_name?: string;
  username?: string;
  language_code?: string;
}

export interface Chat {
  id: number;
  type: string;
  title?: string;
  username?: string;
  first_name?: string;
  last_name?: string;
  /** A supergroup with topics. */
  is_forum?: boolean;
}

export interface MessageEntity {
  type: string;
  offset: number;
  length: number;
  url?: string;
  user?: User;
  language?: string;
  custom_emoji_id?: string;
}

/** A Bot API `Message` (the fields this server produces; any Message object fits). */
export interface Message {
  message_id: number;
  date: number;
  chat: Chat;
  from?: User;
  text?: string;
  entities?: MessageEntity[];
  caption?: string;
  caption_entities?: MessageEntity[];
  photo?: unknown[];
  sticker?: unknown;
  reply_to_message?: Message;
  edit_date?: number;
  message_thread_id?: number;
  /** True for a message sent in a forum topic (its thread id is the topic's). */
  is_topic_message?: boolean;
  /** Service message: a forum topic was created; its message id is the topic's thread id. */
  forum_topic_created?: ForumTopicCreated;
  /** Service message in a group upgraded to a supergroup: the supergroup's id. */
  migrate_to_chat_id?: number;
  /** Service message in that supergroup: the group's old id. */
  migrate_from_chat_id?: number;
  link_preview_options?: unknown;
  reply_markup?: unknown;
}

export interface ForumTopicCreated {
  name: string;
  icon_color: number;
}

/** A Bot API `ForumTopic`, as createForumTopic returns it. */
export interface ForumTopic {
  message_thread_id: number;
  name: string;
  icon_color: number;
}

/** A message draft shown to a private chat (sendMessageDraft), as Telegram parsed it. */
export interface Draft {
  chat_id: number;
  draft_id: number;
  /** The text after entity parsing ("" shows "Thinking…"). */
  text: string;
  entities: MessageEntity[];
  message_thread_id?: number;
  /** `Date.now()` when it was accepted. */
  at: number;
}

export interface TelegramError {
  error_code: number;
  description: string;
  retry_after?: number;
}

export interface TelegramCall {
  method: string;
  params: any;
  /** `Date.now()` when the request arrived. */
  at: number;
  /** What the server answered, set once answered (absent while a long poll is held). */
  response?: { ok: true; result: unknown } | { ok: false; error_code: number; description: string };
}

export interface SendUserMessageInput {
  chatId: number;
  /** Default: the chat's known type; else "private" for a positive id, "supergroup" for a
   * -100… id, "group" otherwise. */
  chatType?: "private" | "group" | "supergroup";
  from: { id: number; first_name: string; username?: string; is_bot?: boolean; last_name?: string };
  text?: string;
  /** A caption makes it a photo message (unless `sticker` is set). */
  caption?: string;
  sticker?: boolean;
  /** The replied message: a bot message from sentMessages() or a user message. */
  replyTo?: Message;
  /**
   * Sends it in this forum topic: the chat becomes a forum supergroup. In a topic made by
   * createForumTopic, a message that replies to nothing else replies to the topic's root (the
   * `forum_topic_created` message), as Telegram sends it; an id never created has no root.
   */
  topicId?: number;
}

export interface TelegramServer {
  /** "http://127.0.0.1:<port>" — pass as grammY's `client.apiRoot`. */
  apiRoot: string;
  token: string;
  bot: { id: number; username: string; first_name: string; is_bot: true };
  /** Queues a user's message as an update for getUpdates; returns the Message it built. */
  sendUserMessage(input: SendUserMessageInput): Message;
  /**
   * Upgrades a group to a supergroup as Telegram does: the group gets a service message with
   * `migrate_to_chat_id`, the new supergroup (a new id) one with `migrate_from_chat_id`, both
   * queued as updates; calls to the old id then fail with 400 and `migrate_to_chat_id`.
   * Returns the supergroup's id.
   */
  migrateGroup(chatId: number, from: SendUserMessageInput["from"]): number;
  /**
   * Creates a forum topic in `chatId` (a supergroup, made a forum) as Telegram does: a
   * `forum_topic_created` service message, whose id is the topic's thread id, from `from`
   * (queued as an update) or, without `from`, from the bot's account (no update: a bot does
   * not receive its own messages; the Bot API method createForumTopic does the same).
   * Returns the topic's root message.
   */
  createForumTopic(chatId: number, name: string, from?: SendUserMessageInput["from"]): Message;
  /** Queues any raw update; assigns `update_id` if missing. Returns the update_id. */
  pushUpdate(update: Record<string, unknown>): number;
  /** Every API call the bot made, in order. */
  calls: TelegramCall[];
  /** Messages the bot sent (current state: edits show), in order; optionally for one chat. */
  sentMessages(chatId?: number): Message[];
  /** Message drafts the bot streamed (sendMessageDraft) and the server accepted, in order. */
  drafts(chatId?: number): Draft[];
  /** Resolves with the predicate's first truthy value; rejects after timeoutMs (default
   * 10 000) listing the calls seen. Re-checked after every call, update and every 25 ms. */
  waitFor<T>(
    predicate: (server: TelegramServer) => T | undefined | false,
    timeoutMs?: number,
  ): Promise<T>;
  /** The next `count` (default 1) calls to `method` fail with this error. */
  failNext(method: string, error: TelegramError, count?: number): void;
  /** Calls to `method` fail whenever predicate(params) is true (until clearFailures). */
  failWhen(method: string, predicate: (params: any) => boolean, error: TelegramError): void;
  /**
   * The next `count` (default 1) calls to `method` get no answer: the connection is closed
   * under them (a reset, a network failure the client cannot tell from a dead host).
   */
  dropNext(method: string, count?: number): void;
  /** Drops every failNext/failWhen/dropNext rule (for one method, or all). */
  clearFailures(method?: string): void;
  /** Updates queued and not yet confirmed by a getUpdates offset or a webhook's 2xx. */
  pendingUpdates(): Array<Record<string, unknown>>;
  /**
   * Delivers updates to a webhook the bot set, as Telegram does (see webhook-delivery.ts), at
   * the local URLs `targets()` names (the reverse proxy's part). Returns the record of delivery
   * attempts; stopped by close().
   */
  forwardWebhook(options: WebhookForwardOptions): WebhookDelivery[];
  /** Ends held long polls (empty result), closes every connection and the listener. */
  close(): Promise<void>;
}

/** One delivery attempt, as the record shows it. */
export interface WebhookDelivery {
  update_id: number;
  target: string;
  /** The HTTP status, or what went wrong ("failed: …", "no answer"). */
  outcome: number | string;
  /** When the attempt ended, ms since the epoch. */
  at: number;
}

export interface WebhookForwardOptions {
  /** The local URLs the registered webhook URL reaches, asked at each delivery. */
  targets: () => string[];
  /** How long a delivery waits for its answer, ms (default 60 000). */
  responseTimeoutMs?: number;
  /** The first pause before a failed delivery is tried again, ms (default 500; doubles, at most 8x). */
  retryMs?: number;
}
