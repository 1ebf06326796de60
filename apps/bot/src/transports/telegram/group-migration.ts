import type { Config } from "../../config";
import type { Logger } from "../../logger";

/**
 * A group upgraded to a supergroup gets a new chat id, and the allowlist goes by chat id: one
 * naming only the old id would silently shut the bot out, so that case is a warning that says
 * what to add.
 */
export function logMigration(
  logger: Logger,
  config: Config,
  fromChatId: number,
  toChatId: number,
): void {
  const whitelist = config.bot.whitelist;
  const fields = { chat_id: fromChatId, new_chat_id: toChatId };
  if (whitelist.includes(fromChatId) && !whitelist.includes(toChatId)) {
    logger.warn(
      fields,
      `a whitelisted group became a supergroup with a new chat id; add ${toChatId} to BOT_WHITELIST or the bot ignores it`,
    );
  } else {
    logger.info(fields, "a group became a supergroup with a new chat id");
  }
}
