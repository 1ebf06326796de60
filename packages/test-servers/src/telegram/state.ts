/** What the server knows, shared by the method handlers, the test-side actions and the HTTP
 * layer: chats and their messages, the update queue, the webhook, the record of calls. */

import { ApiError, badRequest } from "./api-error";
import { FaultRules } from "./faults";
import { toInt } from "./params";
import type { Chat, Draft, Message, TelegramCall, TelegramServerOptions } from "./types";

export interface ChatState {
  chat: Chat;
  nextMessageId: number;
  messages: Map<number, Message>;
  /** Forum topics by thread id: each one's root, the `forum_topic_created` service message. */
  topics: Map<number, Message>;
}

/** A held getUpdates long poll. */
export interface PollWaiter {
  /** Answers if an update is ready (or the server is closing). */
  wake: () => void;
  /** Ends it with 409, as a newer getUpdates or setWebhook does. */
  terminate: () => void;
}

export type StoredUpdate = Record<string, unknown> & { update_id: number };

export interface BotUser {
  id: number;
  is_bot: true;
  first_name: string;
  username: string;
}

export class TelegramState {
  readonly token: string;
  readonly botUser: BotUser;
  readonly calls: TelegramCall[] = [];
  readonly chats = new Map<number, ChatState>();
  /** Groups upgraded to supergroups: old id -> new id. */
  readonly migrations = new Map<number, number>();
  nextSupergroupId = -1_005_000_000_001;
  /** Messages the bot sent, in order (edits change them in place). */
  readonly sent: Message[] = [];
  /** Message drafts the bot streamed (sendMessageDraft), in order. */
  readonly drafts: Draft[] = [];
  updates: StoredUpdate[] = [];
  nextUpdateId = 1;
  allowedUpdates: string[] = [];
  webhook: { url: string; allowed_updates?: string[]; secret_token?: string } | undefined;
  pollWaiter: PollWaiter | undefined;
  closing = false;
  /** Called after every call, answer and queued update (waitFor re-checks on them). */
  readonly listeners = new Set<() => void>();
  /** setMyCommands lists by scope and language (see commandsKey). */
  readonly commands = new Map<string, unknown[]>();
  readonly faults = new FaultRules();

  constructor(options: TelegramServerOptions) {
    this.token = options.token ?? "123456:TEST-TOKEN";
    this.botUser = {
      id: options.botId ?? 123456,
      is_bot: true,
      first_name: options.botFirstName ?? "Memory Test Bot",
      username: options.botUsername ?? "memory_test_bot",
    };
  }

  notify(): void {
    for (const listener of [...this.listeners]) listener();
  }

  registerChat(chat: Chat): ChatState {
    let state = this.chats.get(chat.id);
    if (!state) {
      state = { chat: { ...chat }, nextMessageId: 1, messages: new Map(), topics: new Map() };
      this.chats.set(chat.id, state);
    }
    return state;
  }

  storeMessage(state: ChatState, message: Message): void {
    state.messages.set(message.message_id, message);
    if (message.message_id >= state.nextMessageId) state.nextMessageId = message.message_id + 1;
  }

  /** The chat a `chat_id` parameter names (a number, a numeric string or "@username"); fails
   * as Telegram does for an unknown or migrated chat. */
  findChat(chatId: unknown): ChatState {
    if (chatId === undefined || chatId === null || chatId === "") {
      throw badRequest("chat_id is empty");
    }
    if (typeof chatId === "string" && chatId.startsWith("@")) {
      const name = chatId.slice(1).toLowerCase();
      for (const state of this.chats.values()) {
        if (state.chat.username?.toLowerCase() === name) return state;
      }
      throw badRequest("chat not found");
    }
    const id = typeof chatId === "number" ? chatId : Number(chatId);
    if (!Number.isSafeInteger(id)) throw badRequest("chat not found");
    const migratedTo = this.migrations.get(id);
    if (migratedTo !== undefined) {
      throw new ApiError(400, "Bad Request: group chat was upgraded to a supergroup chat", {
        migrate_to_chat_id: migratedTo,
      });
    }
    const state = this.chats.get(id);
    if (!state) throw badRequest("chat not found");
    return state;
  }

  /** The forum topic a call names (`message_thread_id`), checked against the chat. */
  topicOf(state: ChatState, params: any): number | undefined {
    if (params.message_thread_id === undefined) return undefined;
    const topic = toInt(params.message_thread_id, 0);
    if (!state.chat.is_forum || topic <= 0) throw badRequest("message thread not found");
    return topic;
  }

  /** Queues an update for getUpdates (assigning `update_id` if missing); returns its id. */
  queueUpdate(update: Record<string, unknown>): number {
    let id = update.update_id;
    if (typeof id !== "number") {
      id = this.nextUpdateId;
    }
    this.nextUpdateId = Math.max(this.nextUpdateId, (id as number) + 1);
    const stored: StoredUpdate = { ...update, update_id: id as number };
    // Messages inside raw updates become known, so the bot may answer and reply to them.
    for (const key of ["message", "edited_message", "channel_post", "edited_channel_post"]) {
      const message = stored[key] as Message | undefined;
      if (message?.chat && typeof message.message_id === "number") {
        const state = this.registerChat(message.chat);
        if (key === "message" || key === "channel_post") this.storeMessage(state, clone(message));
      }
    }
    this.updates.push(stored);
    this.pollWaiter?.wake();
    this.notify();
    return id as number;
  }

  /** The `reply_to_message` for a reply to `message`: the chat's stored copy, not nested. */
  replyTarget(state: ChatState, message: Message): Message {
    const known = state.messages.get(message.message_id);
    const { reply_to_message: _nested, ...rest } = clone(known ?? message);
    return rest;
  }
}

export function clone<T>(value: T): T {
  return structuredClone(value);
}
