/** A message's text as Telegram builds it from a call: parse_mode or explicit entities, then
 * trimmed, length-checked and completed with the entities Telegram detects itself. */

import { badRequest } from "./api-error";
import { detectEntities, sortEntities, trimText } from "./entities";
import { HtmlParseError, parseHtml } from "./html";
import type { MessageEntity } from "./types";

/** Telegram's limit on a message's text after entity parsing, in UTF-16 code units. */
const MAX_MESSAGE_LENGTH = 4096;

/** Text, entities after parse_mode, trimmed and length-checked as Telegram does. */
export function formatText(
  params: any,
  field: "text" | "caption",
  options: { allowEmpty?: boolean } = {},
): { text: string; entities: MessageEntity[] } {
  const raw = params[field];
  if (raw === undefined || raw === null || raw === "") {
    if (options.allowEmpty) return { text: "", entities: [] };
    throw badRequest("message text is empty");
  }
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
  if (text.length === 0 && !options.allowEmpty) throw badRequest("message text is empty");
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
}
