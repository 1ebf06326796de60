import { optionNames } from "../store/known-options";
import type { RedisLayoutStoreOptions } from "./store-options";

/**
 * Every name of `RedisLayoutStoreOptions`: an adapter's own list adds its names to these, and
 * its constructor refuses any other (`assertKnownOptions` in `@agents-memory/core/store`).
 */
export const LAYOUT_OPTION_NAMES = optionNames<RedisLayoutStoreOptions>({
  keyPrefix: true,
  logger: true,
  legacyStrings: true,
  layout: true,
});
