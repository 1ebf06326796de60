/**
 * The Lua behind the Redis layout both network stores share (`@agents-memory/ioredis` and
 * `@agents-memory/upstash`): one Redis list of JSON strings per key, oldest first. Kept here,
 * once, so that either store reads and writes exactly what the other does. Plain strings: core
 * still depends on no Redis client; each adapter loads them its own way (EVALSHA, falling back
 * to EVAL on NOSCRIPT).
 *
 * Every script but FORK_COPY and the chained layout's (READ_CHAIN, FORK_CHAIN: single node and
 * Upstash only) touches one key, or a history and its operation record, which
 * `operationsKey` puts in the same slot (slot-safe on Redis Cluster); those that change a key in
 * place also read its ancestors when it links to a parent (`flatten`), which only the chained
 * layout writes. Scripts return only strings, integers and arrays (no booleans), so replies
 * look the same under RESP2, RESP3 and Upstash's JSON.
 *
 * Every script that writes takes a deadline in the server's clock as ARGV[1] and changes
 * nothing once it has passed (see FENCE): a command already sent cannot be recalled, so a write
 * its caller gave up on (and reported as failed) must be refused by the server instead.
 */

import { forkChain, readChain } from "./scripts/chain";
import { claim, finishClaim, releaseClaim, renewClaim } from "./scripts/claims";
import { append, clear, forkCopy, pop, read, write } from "./scripts/history";
import { replaceFunctionCall, transact } from "./scripts/transact";
import { usageAdd, usageRead } from "./scripts/usage";

/**
 * The full source of each script (prelude included), by operation. The scripts live by family
 * in `./scripts/` (prelude, window rule, chain, in-place, history, transact, claims, usage).
 */
export const REDIS_LUA = Object.freeze({
  read,
  write,
  append,
  forkCopy,
  readChain,
  forkChain,
  pop,
  clear,
  transact,
  replaceFunctionCall,
  usageAdd,
  usageRead,
  claim,
  renewClaim,
  finishClaim,
  releaseClaim,
});
