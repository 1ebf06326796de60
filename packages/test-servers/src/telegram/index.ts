/**
 * A local Telegram Bot API server for end-to-end tests: the real bot client (grammY with
 * `client: { apiRoot }`) talks to it over HTTP exactly as it talks to api.telegram.org.
 *
 * Wire format (https://core.telegram.org/bots/api#making-requests): `POST|GET
 * {apiRoot}/bot<token>/<method>` with JSON, urlencoded or multipart parameters (or a query
 * string); answers `{ ok: true, result }` or `{ ok: false, error_code, description,
 * parameters? }` with the HTTP status equal to `error_code`.
 */

export { detectEntities } from "./entities";
export { parseHtml } from "./html";
export { startTelegramServer } from "./server";
export type {
  Chat,
  Draft,
  ForumTopic,
  ForumTopicCreated,
  Message,
  MessageEntity,
  SendUserMessageInput,
  TelegramCall,
  TelegramError,
  TelegramServer,
  TelegramServerOptions,
  User,
} from "./types";
export type { WebhookDelivery, WebhookForwardOptions } from "./webhook-delivery";
