/** The update types the bot asks Telegram for (polling and setWebhook alike). */
export const ALLOWED_UPDATES = ["message"] as const;
