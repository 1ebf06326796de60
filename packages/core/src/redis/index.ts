/**
 * `@agents-memory/core/redis`: the Redis layout both Redis adapters share, for authors of a
 * store on another Redis-protocol client. Subclass {@link RedisLayoutStore} with your client's
 * {@link RedisCommands} and failure policy; the layout, its Lua scripts and the script runner
 * come with it.
 *
 * @module \@agents-memory/core/redis
 */

export { DeadlinePassedError } from "../failure-rule";
export { CHAIN_LINK_LUA } from "../store/chain-link";
export { OPERATIONS_PER_RECORD } from "../store/history";
export {
  type ChainHint,
  type ChainHintList,
  ChainHints,
  chainHintOf,
  type ForkChainCall,
  type ForkChainRequest,
  forkChainRequest,
} from "./chain-hint";
export type { RedisStoreCheck } from "./check";
export { type RedisArgument, type RedisCommands, timeReplyMs } from "./commands";
export { type ChainForkContext, forkLayout } from "./fork-layout";
export {
  appendLayout,
  clearLayout,
  popLayout,
  type RedisLayout,
  type RedisLayoutContext,
  readLayout,
  replaceFunctionCallLayout,
  transactLayout,
  writeLayout,
} from "./layout";
export { LAYOUT_OPTION_NAMES } from "./layout-option-names";
export { parseLegacyStored, parseLegacyValue } from "./legacy";
export { REDIS_LUA } from "./lua";
export { keySlot, olderOperationsKey, operationsKey } from "./operations-key";
export { RedisLayoutStore } from "./redis-layout-store";
export {
  refusesCredentials,
  refusesForClusterMode,
  refusesUndeclaredKeys,
  refusesWriteAfterTime,
} from "./refusals";
export {
  isNoScript,
  KEY_LOCKING_SCRIPTS,
  KEY_LOCKING_SHEBANG,
  REDIS_SCRIPTS,
  type RedisScript,
  type RedisScriptBody,
  runScript,
} from "./script-runner";
export { ServerClock } from "./server-clock";
export type { RedisLayoutStoreOptions, StoreOperation } from "./store-options";
