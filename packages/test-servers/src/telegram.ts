import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A local Telegram Bot API server for end-to-end tests: the real bot client (grammY with
 * `client: { apiRoot }`) talks to it over HTTP exactly as it talks to api.telegram.org.
 *
 * Wire format (https://core.telegram.org/bots/api#making-requests): `POST|GET
 * {apiRoot}/bot<token>/<method>` with JSON, urlencoded or multipart parameters (or a query
 * string); answers `{ ok: true, result }` or `{ ok: false, error_code, description,
 * parameters? }` with the HTTP status equal to `error_code`.
 */

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
  /** Service message in a group upgraded to a supergroup: the supergroup's id. */
  migrate_to_chat_id?: number;
  /** Service message in that supergroup: the group's old id. */
  migrate_from_chat_id?: number;
  link_preview_options?: unknown;
  reply_markup?: unknown;
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
  /** Sends it in this forum topic: the chat becomes a forum supergroup. */
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
  /** Queues any raw update; assigns `update_id` if missing. Returns the update_id. */
  pushUpdate(update: Record<string, unknown>): number;
  /** Every API call the bot made, in order. */
  calls: TelegramCall[];
  /** Messages the bot sent (current state: edits show), in order; optionally for one chat. */
  sentMessages(chatId?: number): Message[];
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
  /** Updates queued and not yet confirmed by a getUpdates offset. */
  pendingUpdates(): Array<Record<string, unknown>>;
  /** Ends held long polls (empty result), closes every connection and the listener. */
  close(): Promise<void>;
}

class ApiError extends Error {
  constructor(
    readonly error_code: number,
    readonly description: string,
    readonly parameters?: Record<string, unknown>,
  ) {
    super(description);
  }
}

const badRequest = (what: string) => new ApiError(400, `Bad Request: ${what}`);

/** Update types delivered when allowed_updates is empty or never given. */
const DEFAULT_EXCLUDED_UPDATES = ["chat_member", "message_reaction", "message_reaction_count"];

const CHAT_ACTIONS = new Set([
  "typing",
  "upload_photo",
  "record_video",
  "upload_video",
  "record_voice",
  "upload_voice",
  "upload_document",
  "choose_sticker",
  "find_location",
  "record_video_note",
  "upload_video_note",
]);

const MAX_MESSAGE_LENGTH = 4096;

interface ChatState {
  chat: Chat;
  nextMessageId: number;
  messages: Map<number, Message>;
}

interface PollWaiter {
  wake: () => void;
  terminate: () => void;
}

type Handler = (params: any, signal: AbortSignal) => unknown | Promise<unknown>;

export async function startTelegramServer(
  options: TelegramServerOptions = {},
): Promise<TelegramServer> {
  const token = options.token ?? "123456:TEST-TOKEN";
  const botUser = {
    id: options.botId ?? 123456,
    is_bot: true as const,
    first_name: options.botFirstName ?? "Memory Test Bot",
    username: options.botUsername ?? "memory_test_bot",
  };

  const calls: TelegramCall[] = [];
  const chats = new Map<number, ChatState>();
  /** Groups upgraded to supergroups: old id -> new id. */
  const migrations = new Map<number, number>();
  let nextSupergroupId = -1_005_000_000_001;
  const sent: Message[] = [];
  let updates: Array<Record<string, unknown> & { update_id: number }> = [];
  let nextUpdateId = 1;
  let allowedUpdates: string[] = [];
  let webhook: { url: string; allowed_updates?: string[] } | undefined;
  let pollWaiter: PollWaiter | undefined;
  let closing = false;
  let closed: Promise<void> | undefined;
  const listeners = new Set<() => void>();
  const failNextRules = new Map<string, Array<{ error: TelegramError; remaining: number }>>();
  const dropRules = new Map<string, number>();
  const failWhenRules: Array<{
    method: string;
    predicate: (params: any) => boolean;
    error: TelegramError;
  }> = [];
  const commands = new Map<string, unknown[]>();

  const notify = () => {
    for (const listener of [...listeners]) listener();
  };

  const chatState = (chatId: number): ChatState | undefined => chats.get(chatId);

  const registerChat = (chat: Chat): ChatState => {
    let state = chats.get(chat.id);
    if (!state) {
      state = { chat: { ...chat }, nextMessageId: 1, messages: new Map() };
      chats.set(chat.id, state);
    }
    return state;
  };

  const storeMessage = (state: ChatState, message: Message) => {
    state.messages.set(message.message_id, message);
    if (message.message_id >= state.nextMessageId) state.nextMessageId = message.message_id + 1;
  };

  const findChat = (chatId: unknown): ChatState => {
    if (chatId === undefined || chatId === null || chatId === "") {
      throw badRequest("chat_id is empty");
    }
    if (typeof chatId === "string" && chatId.startsWith("@")) {
      const name = chatId.slice(1).toLowerCase();
      for (const state of chats.values()) {
        if (state.chat.username?.toLowerCase() === name) return state;
      }
      throw badRequest("chat not found");
    }
    const id = typeof chatId === "number" ? chatId : Number(chatId);
    if (!Number.isSafeInteger(id)) throw badRequest("chat not found");
    const migratedTo = migrations.get(id);
    if (migratedTo !== undefined) {
      throw new ApiError(400, "Bad Request: group chat was upgraded to a supergroup chat", {
        migrate_to_chat_id: migratedTo,
      });
    }
    const state = chatState(id);
    if (!state) throw badRequest("chat not found");
    return state;
  };

  /** The forum topic a call names (`message_thread_id`), checked against the chat. */
  const topicOf = (state: ChatState, params: any): number | undefined => {
    if (params.message_thread_id === undefined) return undefined;
    const topic = toInt(params.message_thread_id, 0);
    if (!state.chat.is_forum || topic <= 0) throw badRequest("message thread not found");
    return topic;
  };

  const queueUpdate = (update: Record<string, unknown>): number => {
    let id = update.update_id;
    if (typeof id !== "number") {
      id = nextUpdateId;
    }
    nextUpdateId = Math.max(nextUpdateId, (id as number) + 1);
    const stored: Record<string, unknown> & { update_id: number } = {
      ...update,
      update_id: id as number,
    };
    // Messages inside raw updates become known, so the bot may answer and reply to them.
    for (const key of ["message", "edited_message", "channel_post", "edited_channel_post"]) {
      const message = stored[key] as Message | undefined;
      if (message?.chat && typeof message.message_id === "number") {
        const state = registerChat(message.chat);
        if (key === "message" || key === "channel_post") storeMessage(state, clone(message));
      }
    }
    updates.push(stored);
    pollWaiter?.wake();
    notify();
    return id as number;
  };

  const defaultChat = (input: SendUserMessageInput): Chat => {
    const type =
      input.chatType ??
      (input.chatId > 0 ? "private" : input.chatId <= -1_000_000_000_000 ? "supergroup" : "group");
    if (type === "private") {
      return {
        id: input.chatId,
        type,
        first_name: input.from.first_name,
        ...(input.from.last_name ? { last_name: input.from.last_name } : {}),
        ...(input.from.username ? { username: input.from.username } : {}),
      };
    }
    return { id: input.chatId, type, title: `Test ${type} ${input.chatId}` };
  };

  const replyTarget = (state: ChatState, message: Message): Message => {
    const known = state.messages.get(message.message_id);
    const { reply_to_message: _nested, ...rest } = clone(known ?? message);
    return rest;
  };

  const toUser = (input: SendUserMessageInput["from"]): User => ({
    id: input.id,
    is_bot: input.is_bot ?? false,
    first_name: input.first_name,
    ...(input.last_name ? { last_name: input.last_name } : {}),
    ...(input.username ? { username: input.username } : {}),
  });

  const sendUserMessage = (input: SendUserMessageInput): Message => {
    if (input.text === undefined && input.caption === undefined && !input.sticker) {
      throw new Error("sendUserMessage needs text, caption or sticker: true");
    }
    const existing = chats.get(input.chatId);
    const state =
      existing && (!input.chatType || existing.chat.type === input.chatType)
        ? existing
        : registerChat(defaultChat(input));
    if (input.chatType && state.chat.type !== input.chatType) state.chat.type = input.chatType;
    const from = toUser(input.from);
    const message: Message = {
      message_id: state.nextMessageId,
      from,
      chat: { ...state.chat },
      date: Math.floor(Date.now() / 1000),
    };
    if (input.topicId !== undefined) {
      state.chat.type = "supergroup";
      state.chat.is_forum = true;
      message.chat = { ...state.chat };
      message.message_thread_id = input.topicId;
      message.is_topic_message = true;
    }
    if (input.replyTo) message.reply_to_message = replyTarget(state, input.replyTo);
    if (input.sticker) {
      message.sticker = {
        file_id: `sticker-${state.chat.id}-${message.message_id}`,
        file_unique_id: `us${state.chat.id}${message.message_id}`,
        type: "regular",
        width: 512,
        height: 512,
        is_animated: false,
        is_video: false,
        emoji: "👍",
        file_size: 20480,
      };
    } else if (input.caption !== undefined) {
      message.photo = [
        {
          file_id: `photo-${state.chat.id}-${message.message_id}-s`,
          file_unique_id: `ups${state.chat.id}${message.message_id}`,
          width: 90,
          height: 90,
          file_size: 1200,
        },
        {
          file_id: `photo-${state.chat.id}-${message.message_id}-m`,
          file_unique_id: `upm${state.chat.id}${message.message_id}`,
          width: 800,
          height: 800,
          file_size: 64000,
        },
      ];
    }
    if (input.caption !== undefined && !input.sticker) {
      message.caption = input.caption;
      const entities = detectEntities(input.caption);
      if (entities.length > 0) message.caption_entities = entities;
    }
    if (input.text !== undefined && !input.sticker && input.caption === undefined) {
      message.text = input.text;
      const entities = detectEntities(input.text);
      if (entities.length > 0) message.entities = entities;
    }
    storeMessage(state, message);
    queueUpdate({ message: clone(message) });
    return clone(message);
  };

  /** Text, entities after parse_mode, trimmed and length-checked as Telegram does. */
  const formatText = (
    params: any,
    field: "text" | "caption",
  ): { text: string; entities: MessageEntity[] } => {
    const raw = params[field];
    if (raw === undefined || raw === null || raw === "") throw badRequest("message text is empty");
    let text = String(raw);
    let entities: MessageEntity[] = [];
    const parseMode = params.parse_mode ? String(params.parse_mode) : "";
    if (parseMode) {
      if (parseMode.toLowerCase() === "html") {
        try {
          ({ text, entities } = parseHtml(text));
        } catch (error) {
          if (error instanceof HtmlParseError) {
            throw badRequest(`can't parse entities: ${error.message}`);
          }
          throw error;
        }
      } else if (parseMode === "Markdown" || parseMode === "MarkdownV2") {
        throw badRequest(
          `parse_mode ${parseMode} is not implemented by the local test server (use HTML or plain text)`,
        );
      } else {
        throw badRequest("unsupported parse_mode");
      }
    } else if (params.entities !== undefined) {
      const given =
        typeof params.entities === "string" ? JSON.parse(params.entities) : params.entities;
      if (!Array.isArray(given)) throw badRequest("can't parse entities JSON object");
      entities = given.map((entity) => ({ ...entity }));
    }
    ({ text, entities } = trimText(text, entities));
    if (text.length === 0) throw badRequest("message text is empty");
    if (text.length > MAX_MESSAGE_LENGTH) throw badRequest("message is too long");
    const explicit = entities;
    const auto = detectEntities(text).filter(
      (found) =>
        !explicit.some(
          (entity) =>
            ["code", "pre", "text_link", "text_mention"].includes(entity.type) &&
            entity.offset < found.offset + found.length &&
            found.offset < entity.offset + entity.length,
        ),
    );
    return { text, entities: sortEntities([...explicit, ...auto]) };
  };

  const handlers: Record<string, Handler> = {
    getMe: () => ({
      ...botUser,
      can_join_groups: true,
      can_read_all_group_messages: false,
      supports_inline_queries: false,
      can_connect_to_business: false,
      has_main_web_app: false,
    }),

    getUpdates: async (params, signal) => {
      if (webhook) {
        throw new ApiError(
          409,
          "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first",
        );
      }
      // One getUpdates at a time: a newer request ends a held one with 409, as Telegram does.
      pollWaiter?.terminate();
      const offset = toInt(params.offset, 0);
      const limit = Math.min(100, Math.max(1, toInt(params.limit, 100)));
      const timeout = Math.max(0, toInt(params.timeout, 0));
      if (params.allowed_updates !== undefined) {
        const list = toArray(params.allowed_updates);
        allowedUpdates = list.map(String);
      }
      if (offset > 0) updates = updates.filter((update) => update.update_id >= offset);
      else if (offset < 0) updates = updates.slice(offset);

      const select = () => {
        updates = updates.filter((update) => isAllowed(update, allowedUpdates));
        return updates.slice(0, limit).map(clone);
      };
      const batch: Array<Record<string, unknown>> = select();
      if (batch.length > 0 || timeout === 0 || closing) return batch;

      // Long poll: hold the request until an update is queued, the timeout, or close().
      return await new Promise<Array<Record<string, unknown>>>((resolve, reject) => {
        const finish = (value: Array<Record<string, unknown>> | ApiError) => {
          clearTimeout(timer);
          signal.removeEventListener("abort", onAbort);
          if (pollWaiter === waiter) pollWaiter = undefined;
          if (value instanceof ApiError) reject(value);
          else resolve(value);
        };
        const onAbort = () => finish([]);
        const waiter: PollWaiter = {
          wake: () => {
            const ready = select();
            if (ready.length > 0 || closing) finish(ready);
          },
          terminate: () =>
            finish(
              new ApiError(
                409,
                "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running",
              ),
            ),
        };
        const timer = setTimeout(() => finish([]), timeout * 1000);
        signal.addEventListener("abort", onAbort);
        pollWaiter = waiter;
      });
    },

    sendMessage: (params) => {
      const state = findChat(params.chat_id);
      const { text, entities } = formatText(params, "text");
      const message: Message = {
        message_id: state.nextMessageId,
        from: { ...botUser },
        chat: { ...state.chat },
        date: Math.floor(Date.now() / 1000),
      };
      const reply = resolveReply(state, params);
      // A reply lands in its target's topic; without either, a forum message goes to General.
      const topic =
        topicOf(state, params) ?? (reply?.is_topic_message ? reply.message_thread_id : undefined);
      if (topic !== undefined) {
        message.message_thread_id = topic;
        message.is_topic_message = true;
      }
      if (reply) message.reply_to_message = reply;
      message.text = text;
      if (entities.length > 0) message.entities = entities;
      const preview = toObject(params.link_preview_options);
      if (preview) message.link_preview_options = preview;
      const markup = toObject(params.reply_markup);
      if (markup && "inline_keyboard" in markup) message.reply_markup = markup;
      storeMessage(state, message);
      sent.push(message);
      return clone(message);
    },

    editMessageText: (params) => {
      if (params.inline_message_id !== undefined) throw badRequest("message to edit not found");
      const state = findChat(params.chat_id);
      const message = state.messages.get(toInt(params.message_id, 0));
      if (!message) throw badRequest("message to edit not found");
      if (message.from?.id !== botUser.id) throw badRequest("message can't be edited");
      if (message.text === undefined) throw badRequest("there is no text in the message to edit");
      const { text, entities } = formatText(params, "text");
      if (
        text === message.text &&
        JSON.stringify(entities) === JSON.stringify(message.entities ?? [])
      ) {
        throw badRequest(
          "message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message",
        );
      }
      message.text = text;
      if (entities.length > 0) message.entities = entities;
      else delete message.entities;
      message.edit_date = Math.floor(Date.now() / 1000);
      return clone(message);
    },

    deleteMessage: (params) => {
      const state = findChat(params.chat_id);
      const id = toInt(params.message_id, 0);
      if (!state.messages.delete(id)) throw badRequest("message to delete not found");
      const index = sent.findIndex(
        (message) => message.chat.id === state.chat.id && message.message_id === id,
      );
      if (index >= 0) sent.splice(index, 1);
      return true;
    },

    sendChatAction: (params) => {
      topicOf(findChat(params.chat_id), params);
      if (!CHAT_ACTIONS.has(String(params.action))) {
        throw badRequest("wrong parameter action in request");
      }
      return true;
    },

    setMessageReaction: (params) => {
      const state = findChat(params.chat_id);
      if (!state.messages.has(toInt(params.message_id, 0))) throw badRequest("message not found");
      return true;
    },

    getChat: (params) => ({
      ...findChat(params.chat_id).chat,
      accent_color_id: 0,
      max_reaction_count: 11,
    }),

    setMyCommands: (params) => {
      const list = toArray(params.commands);
      for (const command of list as Array<{ command?: unknown; description?: unknown }>) {
        const name = String(command?.command ?? "");
        const description = String(command?.description ?? "");
        if (!/^[a-z0-9_]{1,32}$/.test(name)) throw badRequest("BOT_COMMAND_INVALID");
        if (description.length < 1 || description.length > 256) {
          throw badRequest("BOT_COMMAND_DESCRIPTION_INVALID");
        }
      }
      commands.set(commandsKey(params), clone(list));
      return true;
    },
    getMyCommands: (params) => commands.get(commandsKey(params)) ?? [],
    deleteMyCommands: (params) => {
      commands.delete(commandsKey(params));
      return true;
    },

    answerCallbackQuery: () => true,

    setWebhook: (params) => {
      const url = params.url === undefined ? undefined : String(params.url);
      if (url === undefined) throw badRequest('parameter "url" is required');
      if (url === "") {
        webhook = undefined;
        return true;
      }
      if (!/^https:\/\//i.test(url))
        throw badRequest("bad webhook: An HTTPS URL must be provided for webhook");
      webhook = {
        url,
        ...(params.allowed_updates
          ? { allowed_updates: toArray(params.allowed_updates).map(String) }
          : {}),
      };
      if (toBool(params.drop_pending_updates)) updates = [];
      // A held long poll ends as Telegram ends it when a webhook is set.
      pollWaiter?.terminate();
      return true;
    },
    deleteWebhook: (params) => {
      webhook = undefined;
      if (toBool(params.drop_pending_updates)) updates = [];
      return true;
    },
    getWebhookInfo: () => ({
      url: webhook?.url ?? "",
      has_custom_certificate: false,
      pending_update_count: updates.length,
      ...(webhook ? { max_connections: 40, ip_address: "127.0.0.1" } : {}),
      ...(webhook?.allowed_updates ? { allowed_updates: webhook.allowed_updates } : {}),
    }),
    close: () => true,
    logOut: () => true,
  };

  const resolveReply = (state: ChatState, params: any): Message | undefined => {
    const replyParameters = toObject(params.reply_parameters) as
      | { message_id?: unknown; chat_id?: unknown; allow_sending_without_reply?: unknown }
      | undefined;
    const messageId = replyParameters?.message_id ?? params.reply_to_message_id;
    if (messageId === undefined) return undefined;
    const allowWithout = toBool(
      replyParameters?.allow_sending_without_reply ?? params.allow_sending_without_reply,
    );
    const target =
      replyParameters?.chat_id !== undefined ? findChat(replyParameters.chat_id) : state;
    const replied = target.messages.get(toInt(messageId, 0));
    if (!replied) {
      if (allowWithout) return undefined;
      throw badRequest("message to be replied not found");
    }
    return replyTarget(target, replied);
  };

  const injectedFailure = (method: string, params: any): ApiError | undefined => {
    const queue = failNextRules.get(method);
    const next = queue?.[0];
    if (queue && next) {
      next.remaining -= 1;
      if (next.remaining <= 0) queue.shift();
      return toApiError(next.error);
    }
    for (const rule of failWhenRules) {
      if (rule.method === method && rule.predicate(params)) return toApiError(rule.error);
    }
    return undefined;
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const match = /^\/bot([^/]*)\/([A-Za-z0-9_]+)\/?$/.exec(url.pathname);
    const abort = new AbortController();
    res.on("close", () => abort.abort());
    if (!match) {
      reply(res, { ok: false, error_code: 404, description: "Not Found" });
      return;
    }
    const [, pathToken, methodName] = match as unknown as [string, string, string];
    if (decodeURIComponent(pathToken) !== token) {
      reply(res, { ok: false, error_code: 401, description: "Unauthorized" });
      return;
    }
    let params: Record<string, unknown>;
    try {
      params = await readParams(req, url);
    } catch {
      reply(res, { ok: false, error_code: 400, description: "Bad Request: can't parse JSON" });
      return;
    }
    const call: TelegramCall = { method: methodName, params, at: Date.now() };
    calls.push(call);
    notify();
    const drops = dropRules.get(methodName) ?? 0;
    if (drops > 0) {
      dropRules.set(methodName, drops - 1);
      req.socket.destroy();
      return;
    }
    const canonical = Object.keys(handlers).find(
      (name) => name.toLowerCase() === methodName.toLowerCase(),
    );
    let body: NonNullable<TelegramCall["response"]> & { parameters?: Record<string, unknown> };
    try {
      const failure = injectedFailure(methodName, params);
      if (failure) throw failure;
      if (!canonical) throw new ApiError(404, "Not Found");
      const result = await handlers[canonical]!(params, abort.signal);
      body = { ok: true, result };
    } catch (error) {
      if (!(error instanceof ApiError)) {
        body = {
          ok: false,
          error_code: 500,
          description: `Internal Server Error: ${String(error)}`,
        };
      } else {
        body = {
          ok: false,
          error_code: error.error_code,
          description: error.description,
          ...(error.parameters ? { parameters: error.parameters } : {}),
        };
      }
    }
    call.response = body;
    reply(res, body, closing);
    notify();
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error) => {
      if (!res.headersSent) {
        reply(res, {
          ok: false,
          error_code: 500,
          description: `Internal Server Error: ${String(error)}`,
        });
      }
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => resolve());
  });
  const port = (server.address() as AddressInfo).port;

  const migrateGroup = (chatId: number, input: SendUserMessageInput["from"]): number => {
    const group = chatState(chatId);
    if (group?.chat.type !== "group") throw new Error(`${chatId} is not a known group`);
    const newId = nextSupergroupId--;
    const supergroup = registerChat({ ...group.chat, id: newId, type: "supergroup" });
    const service = (state: ChatState, fields: Partial<Message>) =>
      // queueUpdate stores the message in its chat.
      queueUpdate({
        message: {
          message_id: state.nextMessageId,
          from: toUser(input),
          chat: { ...state.chat },
          date: Math.floor(Date.now() / 1000),
          ...fields,
        },
      });
    service(group, { migrate_to_chat_id: newId });
    service(supergroup, { migrate_from_chat_id: chatId });
    migrations.set(chatId, newId);
    return newId;
  };

  const self: TelegramServer = {
    apiRoot: `http://127.0.0.1:${port}`,
    token,
    bot: {
      id: botUser.id,
      username: botUser.username,
      first_name: botUser.first_name,
      is_bot: true,
    },
    calls,
    sendUserMessage,
    migrateGroup,
    pushUpdate: (update) => queueUpdate(clone(update)),
    sentMessages: (chatId) =>
      sent.filter((message) => chatId === undefined || message.chat.id === chatId).map(clone),
    pendingUpdates: () => updates.map(clone),
    failNext: (method, error, count = 1) => {
      const queue = failNextRules.get(method) ?? [];
      queue.push({ error, remaining: count });
      failNextRules.set(method, queue);
    },
    failWhen: (method, predicate, error) => {
      failWhenRules.push({ method, predicate, error });
    },
    dropNext: (method, count = 1) => {
      dropRules.set(method, (dropRules.get(method) ?? 0) + count);
    },
    clearFailures: (method) => {
      if (method === undefined) {
        failNextRules.clear();
        dropRules.clear();
      } else {
        failNextRules.delete(method);
        dropRules.delete(method);
      }
      for (let i = failWhenRules.length - 1; i >= 0; i--) {
        if (method === undefined || failWhenRules[i]!.method === method) failWhenRules.splice(i, 1);
      }
    },
    waitFor: <T>(
      predicate: (server: TelegramServer) => T | undefined | false,
      timeoutMs = 10_000,
    ): Promise<T> =>
      new Promise<T>((resolve, reject) => {
        let done = false;
        const finish = (action: () => void) => {
          if (done) return;
          done = true;
          listeners.delete(check);
          clearInterval(interval);
          clearTimeout(timer);
          action();
        };
        const check = () => {
          try {
            const value = predicate(self);
            if (value) {
              finish(() => resolve(value as T));
            }
          } catch (error) {
            finish(() => reject(error));
          }
        };
        const interval = setInterval(check, 25);
        const timer = setTimeout(
          () =>
            finish(() =>
              reject(
                new Error(
                  `waitFor timed out after ${timeoutMs} ms; calls seen:\n${describeCalls(calls)}`,
                ),
              ),
            ),
          timeoutMs,
        );
        listeners.add(check);
        check();
      }),
    close: () => {
      if (closed) return closed;
      closing = true;
      pollWaiter?.wake();
      closed = new Promise<void>((resolve) => {
        // Answered requests get "connection: close"; whatever is still open after a short
        // grace period (a client that never reads) is cut.
        const force = setTimeout(() => server.closeAllConnections(), 250);
        server.close(() => {
          clearTimeout(force);
          resolve();
        });
        server.closeIdleConnections();
      });
      return closed;
    },
  };
  return self;
}

// ---------------------------------------------------------------------------------------------
// Wire helpers

function reply(res: ServerResponse, body: Record<string, unknown>, closing = false) {
  if (res.destroyed || res.writableEnded) return;
  const status = body.ok ? 200 : (body.error_code as number);
  const payload = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(payload),
    ...(closing ? { connection: "close" } : {}),
  });
  res.end(payload);
}

async function readParams(req: IncomingMessage, url: URL): Promise<Record<string, unknown>> {
  const params: Record<string, unknown> = {};
  for (const [key, value] of url.searchParams) params[key] = parseFormValue(value);
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const body = Buffer.concat(chunks);
  if (body.length === 0) return params;
  const type = (req.headers["content-type"] ?? "").toLowerCase();
  if (type.startsWith("application/x-www-form-urlencoded")) {
    for (const [key, value] of new URLSearchParams(body.toString("utf8"))) {
      params[key] = parseFormValue(value);
    }
  } else if (type.startsWith("multipart/form-data")) {
    const form = await new Response(body, { headers: { "content-type": type } }).formData();
    for (const [key, value] of form) {
      params[key] =
        typeof value === "string"
          ? parseFormValue(value)
          : { file: (value as File).name, size: (value as File).size };
    }
  } else {
    const parsed = JSON.parse(body.toString("utf8"));
    if (parsed && typeof parsed === "object" && !Array.isArray(parsed))
      Object.assign(params, parsed);
  }
  return params;
}

/** Form and query values are strings; JSON-serialized objects and arrays are decoded. */
function parseFormValue(value: string): unknown {
  if (/^\s*[[{]/.test(value)) {
    try {
      return JSON.parse(value);
    } catch {
      return value;
    }
  }
  return value;
}

function toInt(value: unknown, fallback: number): number {
  if (value === undefined || value === null || value === "") return fallback;
  const number = typeof value === "number" ? value : Number(value);
  return Number.isFinite(number) ? Math.trunc(number) : fallback;
}

function toBool(value: unknown): boolean {
  return value === true || value === "true" || value === 1 || value === "1";
}

function toArray(value: unknown): unknown[] {
  if (Array.isArray(value)) return value;
  if (typeof value === "string") {
    try {
      const parsed = JSON.parse(value);
      if (Array.isArray(parsed)) return parsed;
    } catch {}
  }
  throw badRequest("can't parse array JSON object");
}

function toObject(value: unknown): Record<string, unknown> | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === "string") {
    try {
      return toObject(JSON.parse(value));
    } catch {
      throw badRequest("can't parse JSON object");
    }
  }
  if (typeof value === "object" && !Array.isArray(value)) return value as Record<string, unknown>;
  throw badRequest("can't parse JSON object");
}

function toApiError(error: TelegramError): ApiError {
  return new ApiError(
    error.error_code,
    error.description,
    error.retry_after !== undefined ? { retry_after: error.retry_after } : undefined,
  );
}

function commandsKey(params: any): string {
  const scope = toObject(params.scope) ?? { type: "default" };
  return `${JSON.stringify(scope)}|${params.language_code ?? ""}`;
}

function isAllowed(update: Record<string, unknown>, allowed: string[]): boolean {
  const type = Object.keys(update).find((key) => key !== "update_id");
  if (!type) return false;
  return allowed.length > 0 ? allowed.includes(type) : !DEFAULT_EXCLUDED_UPDATES.includes(type);
}

function clone<T>(value: T): T {
  return structuredClone(value);
}

function describeCalls(calls: TelegramCall[]): string {
  if (calls.length === 0) return "  (none)";
  return calls
    .map((call) => {
      const params = JSON.stringify(call.params);
      const outcome = call.response
        ? call.response.ok
          ? "ok"
          : `${call.response.error_code} ${call.response.description}`
        : "pending";
      return `  ${call.method} ${params.length > 200 ? `${params.slice(0, 200)}…` : params} -> ${outcome}`;
    })
    .join("\n");
}

// ---------------------------------------------------------------------------------------------
// Text: entity detection, trimming, sorting

const isWordChar = (ch: string | undefined) => ch !== undefined && /[\p{L}\p{N}_]/u.test(ch);
const isAsciiWord = (ch: string | undefined) => ch !== undefined && /[A-Za-z0-9_]/.test(ch);

/** Code point before / at a UTF-16 index (so a surrogate pair counts as one character). */
function charBefore(text: string, index: number): string | undefined {
  if (index <= 0) return undefined;
  const low = text.charCodeAt(index - 1);
  if (low >= 0xdc00 && low <= 0xdfff && index >= 2) return text.slice(index - 2, index);
  return text[index - 1];
}
function charAt(text: string, index: number): string | undefined {
  if (index >= text.length) return undefined;
  const cp = text.codePointAt(index)!;
  return String.fromCodePoint(cp);
}

/**
 * The entities Telegram finds by itself: bot commands (`/cmd` or `/cmd@bot_name`, TDLib's
 * rule: not preceded or followed by a word character, `/`, `<` or `>`) and @mentions.
 */
export function detectEntities(text: string): MessageEntity[] {
  const entities: MessageEntity[] = [];
  for (let i = text.indexOf("/"); i >= 0; i = text.indexOf("/", i + 1)) {
    const prev = charBefore(text, i);
    if (isWordChar(prev) || prev === "/" || prev === "<" || prev === ">") continue;
    let end = i + 1;
    while (isAsciiWord(text[end])) end++;
    const size = end - i - 1;
    if (size < 1 || size > 64) continue;
    if (text[end] === "@") {
      let mentionEnd = end + 1;
      while (isAsciiWord(text[mentionEnd])) mentionEnd++;
      const mentionSize = mentionEnd - end - 1;
      if (mentionSize < 3 || mentionSize > 32) continue;
      end = mentionEnd;
    }
    const next = charAt(text, end);
    if (isWordChar(next) || next === "/" || next === "<" || next === ">") continue;
    entities.push({ type: "bot_command", offset: i, length: end - i });
  }
  for (let i = text.indexOf("@"); i >= 0; i = text.indexOf("@", i + 1)) {
    if (isWordChar(charBefore(text, i))) continue;
    let end = i + 1;
    while (isAsciiWord(text[end])) end++;
    const size = end - i - 1;
    if (size < 4 || size > 32) continue;
    if (isWordChar(charAt(text, end))) continue;
    // "/cmd@bot" is a command, not a mention.
    if (entities.some((e) => e.offset < i && i < e.offset + e.length)) continue;
    entities.push({ type: "mention", offset: i, length: end - i });
  }
  return sortEntities(entities);
}

const PRIORITY: Record<string, number> = {
  blockquote: 0,
  expandable_blockquote: 0,
  pre: 11,
  code: 20,
  text_link: 49,
  text_mention: 49,
  bold: 90,
  italic: 91,
  underline: 92,
  strikethrough: 93,
  spoiler: 94,
  custom_emoji: 99,
};

/** Telegram's order: offset ascending, then length descending, then type priority. */
function sortEntities(entities: MessageEntity[]): MessageEntity[] {
  const priority = (entity: MessageEntity) =>
    entity.type === "pre" && entity.language ? 10 : (PRIORITY[entity.type] ?? 50);
  return [...entities].sort(
    (a, b) => a.offset - b.offset || b.length - a.length || priority(a) - priority(b),
  );
}

/** Strips leading and trailing whitespace, moving and clipping entities to match. */
function trimText(text: string, entities: MessageEntity[]) {
  const start = text.length - text.trimStart().length;
  const trimmed = text.trim();
  const end = start + trimmed.length;
  const kept: MessageEntity[] = [];
  for (const entity of entities) {
    const from = Math.max(entity.offset, start);
    const to = Math.min(entity.offset + entity.length, end);
    if (to > from) kept.push({ ...entity, offset: from - start, length: to - from });
  }
  return { text: trimmed, entities: kept };
}

// ---------------------------------------------------------------------------------------------
// HTML parse mode, after TDLib's parse_html (https://core.telegram.org/bots/api#html-style)

class HtmlParseError extends Error {}

const HTML_TAGS = new Set([
  "a",
  "b",
  "strong",
  "i",
  "em",
  "u",
  "ins",
  "s",
  "strike",
  "del",
  "span",
  "tg-spoiler",
  "tg-emoji",
  "code",
  "pre",
  "blockquote",
]);

const isSpace = (ch: string | undefined) =>
  ch === " " || ch === "\t" || ch === "\n" || ch === "\r" || ch === "\f" || ch === "\v";

/** Decodes `&lt;` `&gt;` `&amp;` `&quot;` and numeric references at `pos`; anything else is
 * literal text, as Telegram keeps it. */
function decodeEntity(html: string, pos: number): { char: string; end: number } | undefined {
  let end = pos + 1;
  let code = 0;
  if (html[end] === "#") {
    end++;
    if (html[end] === "x") {
      end++;
      while (end < html.length && /[0-9a-fA-F]/.test(html[end]!)) {
        code = code * 16 + Number.parseInt(html[end]!, 16);
        end++;
      }
    } else {
      while (end < html.length && /[0-9]/.test(html[end]!)) {
        code = code * 10 + Number(html[end]);
        end++;
      }
    }
    if (code === 0 || code >= 0x10ffff || end - pos >= 10) return undefined;
    if (code >= 0xd800 && code <= 0xdfff) {
      throw new HtmlParseError(
        "Text contains invalid Unicode characters after decoding HTML entities, check for unmatched surrogate code units",
      );
    }
  } else {
    while (end < html.length && /[A-Za-z]/.test(html[end]!)) end++;
    const name = html.slice(pos + 1, end);
    const named: Record<string, string> = { lt: "<", gt: ">", amp: "&", quot: '"' };
    if (!(name in named)) return undefined;
    code = named[name]!.charCodeAt(0);
  }
  if (html[end] === ";") end++;
  return { char: String.fromCodePoint(code), end };
}

interface OpenTag {
  name: string;
  start: number;
  attributes: Map<string, string>;
  byteOffset: number;
}

/** Parses Telegram HTML into plain text and entities; throws HtmlParseError with Telegram's
 * wording ("Unsupported start tag \"br\" at byte offset 5", ...). */
export function parseHtml(html: string): { text: string; entities: MessageEntity[] } {
  const byteOffset = (index: number) => Buffer.byteLength(html.slice(0, index), "utf8");
  const fail = (message: string): never => {
    throw new HtmlParseError(message);
  };
  let text = "";
  const stack: OpenTag[] = [];
  const collected: Array<MessageEntity & { codeLanguage?: string }> = [];
  let i = 0;
  const n = html.length;
  while (i < n) {
    const ch = html[i]!;
    if (ch === "&") {
      const decoded = decodeEntity(html, i);
      if (decoded) {
        text += decoded.char;
        i = decoded.end;
        continue;
      }
    }
    if (ch !== "<") {
      text += ch;
      i++;
      continue;
    }
    const begin = i;
    i++;
    if (html[i] === "/") {
      // End tag.
      i++;
      if (stack.length === 0) fail(`Unexpected end tag at byte offset ${byteOffset(begin)}`);
      const nameStart = i;
      while (i < n && !isSpace(html[i]) && html[i] !== ">") i++;
      const endName = html.slice(nameStart, i).toLowerCase();
      while (i < n && isSpace(html[i])) i++;
      if (html[i] !== ">") fail(`Unclosed end tag at byte offset ${byteOffset(begin)}`);
      i++;
      const open = stack.pop()!;
      if (endName !== "" && endName !== open.name) {
        fail(
          `Unmatched end tag at byte offset ${byteOffset(begin)}, expected "</${open.name}>", found "</${endName}>"`,
        );
      }
      const length = text.length - open.start;
      if (length > 0) {
        const entity = tagEntity(open, text.slice(open.start));
        if (entity) collected.push({ ...entity, offset: open.start, length });
      }
      continue;
    }
    // Start tag.
    const nameStart = i;
    while (i < n && !isSpace(html[i]) && html[i] !== ">") i++;
    if (i >= n) fail(`Unclosed start tag at byte offset ${byteOffset(begin)}`);
    const name = html.slice(nameStart, i).toLowerCase();
    if (!HTML_TAGS.has(name)) {
      fail(`Unsupported start tag "${name}" at byte offset ${byteOffset(begin)}`);
    }
    const attributes = new Map<string, string>();
    while (html[i] !== ">") {
      while (i < n && isSpace(html[i])) i++;
      if (i >= n) fail(`Unclosed start tag "${name}" at byte offset ${byteOffset(begin)}`);
      if (html[i] === ">") break;
      const attrStart = i;
      while (i < n && !isSpace(html[i]) && html[i] !== "=" && html[i] !== ">") i++;
      const attrName = html.slice(attrStart, i).toLowerCase();
      if (attrName === "") {
        fail(`Empty attribute name in the tag "${name}" at byte offset ${byteOffset(begin)}`);
      }
      while (i < n && isSpace(html[i])) i++;
      if (html[i] !== "=") {
        attributes.set(attrName, "");
        continue;
      }
      i++;
      while (i < n && isSpace(html[i])) i++;
      if (i >= n) fail(`Unclosed start tag "${name}" at byte offset ${byteOffset(begin)}`);
      let value = "";
      const quote = html[i];
      if (quote !== '"' && quote !== "'") {
        const tokenStart = i;
        while (i < n && /[A-Za-z0-9.-]/.test(html[i]!)) i++;
        value = html.slice(tokenStart, i).toLowerCase();
        if (i < n && !isSpace(html[i]) && html[i] !== ">") {
          fail(`Unexpected end of name token at byte offset ${byteOffset(tokenStart)}`);
        }
      } else {
        i++;
        while (i < n && html[i] !== quote) {
          if (html[i] === "&") {
            const decoded = decodeEntity(html, i);
            if (decoded) {
              value += decoded.char;
              i = decoded.end;
              continue;
            }
          }
          value += html[i];
          i++;
        }
        if (html[i] === quote) i++;
      }
      if (i >= n) fail(`Unclosed start tag at byte offset ${byteOffset(begin)}`);
      attributes.set(attrName, value);
    }
    i++;
    if (name === "span" && attributes.get("class") !== "tg-spoiler") {
      fail(`Tag "span" must have class "tg-spoiler" at byte offset ${byteOffset(begin)}`);
    }
    if (name === "tg-emoji" && !/^[0-9]+$/.test(attributes.get("emoji-id") ?? "")) {
      fail(`Custom emoji entity must contain a tg://emoji URL at byte offset ${byteOffset(begin)}`);
    }
    stack.push({ name, start: text.length, attributes, byteOffset: byteOffset(begin) });
  }
  if (stack.length > 0) {
    fail(`Can't find end tag corresponding to start tag "${stack[stack.length - 1]!.name}"`);
  }
  // <pre><code class="language-x">…</code></pre> over the same range is one pre entity with a
  // language; any other code keeps no language.
  const entities: MessageEntity[] = [];
  for (const entity of collected) {
    if (entity.type === "code" && entity.codeLanguage) {
      const pre = collected.find(
        (other) =>
          other.type === "pre" && other.offset === entity.offset && other.length === entity.length,
      );
      if (pre) {
        pre.language = entity.codeLanguage;
        continue;
      }
    }
    const { codeLanguage: _language, ...plain } = entity;
    entities.push(plain);
  }
  return { text, entities: sortEntities(entities) };
}

function tagEntity(
  open: OpenTag,
  inner: string,
): (Omit<MessageEntity, "offset" | "length"> & { codeLanguage?: string }) | undefined {
  switch (open.name) {
    case "b":
    case "strong":
      return { type: "bold" };
    case "i":
    case "em":
      return { type: "italic" };
    case "u":
    case "ins":
      return { type: "underline" };
    case "s":
    case "strike":
    case "del":
      return { type: "strikethrough" };
    case "span":
    case "tg-spoiler":
      return { type: "spoiler" };
    case "tg-emoji":
      return { type: "custom_emoji", custom_emoji_id: open.attributes.get("emoji-id")! };
    case "blockquote":
      return { type: open.attributes.has("expandable") ? "expandable_blockquote" : "blockquote" };
    case "pre":
      return { type: "pre" };
    case "code": {
      const language = /^language-(.+)$/.exec(open.attributes.get("class") ?? "")?.[1];
      return language ? { type: "code", codeLanguage: language } : { type: "code" };
    }
    case "a": {
      const href = open.attributes.get("href") ?? inner;
      const user = /^tg:\/\/user\?id=(\d+)$/i.exec(href);
      if (user) {
        return {
          type: "text_mention",
          user: { id: Number(user[1]), is_bot: false, first_name: "" },
        };
      }
      const url = normalizeUrl(href);
      return url ? { type: "text_link", url } : undefined;
    }
    default:
      return undefined;
  }
}

/** TDLib-like URL check: http(s)/tg/ton schemes (http assumed), a host, "/" before ?/#. */
function normalizeUrl(raw: string): string | undefined {
  const candidate = /^[a-z][a-z0-9+.-]*:\/\//i.test(raw) ? raw : `http://${raw}`;
  const match = /^([a-z][a-z0-9+.-]*):\/\/([^/?#\s]+)([^\s]*)$/i.exec(candidate);
  if (!match) return undefined;
  const scheme = match[1]!.toLowerCase();
  const host = match[2]!.toLowerCase();
  let rest = match[3]!;
  if (!["http", "https", "tg", "ton", "tonsite"].includes(scheme)) return undefined;
  if (
    (scheme === "http" || scheme === "https") &&
    !/^[^.]+(\.[^.]+)+$|^localhost(:\d+)?$/.test(host)
  ) {
    return undefined;
  }
  if (scheme === "http" || scheme === "https") {
    if (!rest.startsWith("/")) rest = `/${rest}`;
  }
  return `${scheme}://${host}${rest}`;
}
