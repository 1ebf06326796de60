import type { TelegramState } from "../state";

/** One Bot API method: its result, or an ApiError thrown for an error answer. `signal` aborts
 * when the client goes away (a held long poll then ends). */
export type Handler = (
  state: TelegramState,
  params: any,
  signal: AbortSignal,
) => unknown | Promise<unknown>;
