import type { AgentInputItem } from "@openai/agents";
import { PartlyAppliedError } from "../failure-rule";
import { describeCause } from "../logger";
import { windowStartBy } from "../policy/window";
import { chainLinkElement, linkRefusal } from "../store/chain-link";
import type { ForkOptions } from "../store/contract";
import { fingerprintElements } from "../store/fingerprint";
import { elementPairRole, parentElementsOf, serializeItems } from "../store/stored-json";
import { type ChainHints, chainHintOf, type ForkChainCall, forkChainRequest } from "./chain-hint";
import type { RedisCommands } from "./commands";
import { writeLayout } from "./layout";
import { REDIS_SCRIPTS, runScript } from "./script-runner";

/* A reply's write on the Redis layout: `fork`, by link (chained layout) or by copy. */

/** How a fork writes on the chained layout (see {@link forkLayout}). */
export interface ChainForkContext {
  /** What the client itself prepends to every key it sends (ioredis's `keyPrefix`). */
  clientKeyPrefix: string;
  /** The hints of the reads before (see `chain-hint.ts`). */
  hints: ChainHints;
  /** False when the server refuses writes after TIME in a script (no link floors then). */
  clock: boolean;
}

/**
 * The reply write; the children get `trim(parent + newItems)`, pair-safe (see `windowStartBy`).
 * `chain` given (the chained layout: single node, Upstash): when the window keeps some of the
 * parent, one FORK_CHAIN call checks the parent (see `fingerprintItems`) and writes each child
 * as a link to it plus the new items, keeping every key the window reads from alive at least
 * as long; it declares the keys the read before found (`chain.hints`; without one, a quiet
 * READ_CHAIN call finds them first). Without `chain` (the copy layout): with room for the
 * parent and a multi-key capable server, one FORK_COPY call checks the parent and copies it
 * inside Redis. Either way, when the check fails (the parent changed, is gone, or is a legacy
 * string, or a child is no reply key of the parent's chat: see `linkRefusal`) or there is no
 * parent, the children get `parentItems + newItems` in full.
 * `singleKeyOnly` (Redis Cluster, where children may live on different nodes) writes each child
 * on its own, in full. `chain.clientKeyPrefix` is what the client itself prepends to every key
 * it sends (ioredis's `keyPrefix`): a link names its parent as Redis sees it, since the scripts
 * that follow it run inside Redis, where no client adds anything.
 */
export async function forkLayout(
  commands: RedisCommands,
  parentRedisKey: string | null,
  childRedisKeys: string[],
  newItems: readonly AgentInputItem[],
  options: ForkOptions,
  singleKeyOnly: boolean,
  deadline: number,
  chain?: ChainForkContext,
): Promise<void> {
  const { maxItems, ttlSeconds } = options;
  const parent = parentElementsOf(options);
  const fresh = serializeItems(newItems);
  // How many of the oldest of parent + fresh the pair-safe trim drops (decided once, for every
  // path).
  const cut = windowStartBy(parent.length + fresh.length, maxItems, (index) =>
    elementPairRole(index < parent.length ? parent[index]! : fresh[index - parent.length]!),
  );
  const writeFull = async () => {
    const full = [...parent, ...fresh].slice(cut);
    if (!singleKeyOnly) return writeLayout(commands, childRedisKeys, full, ttlSeconds, deadline);
    const written = await Promise.allSettled(
      childRedisKeys.map((key) => writeLayout(commands, [key], full, ttlSeconds, deadline)),
    );
    const failed = written.find((result) => result.status === "rejected");
    if (!failed) return;
    const applied = written.length - written.filter((r) => r.status === "rejected").length;
    if (applied === 0) throw failed.reason;
    throw new PartlyAppliedError(
      `written to ${applied} of ${written.length} keys, not the others: ${describeCause(failed.reason)}`,
      { cause: failed.reason },
    );
  };
  if (parentRedisKey === null || cut >= parent.length || singleKeyOnly) {
    await writeFull();
    return;
  }
  // Links join only reply keys of one chat under one prefix (see `linkRefusal`): any other
  // child gets the window in full, as on the copy layout.
  if (chain && childRedisKeys.some((key) => linkRefusal(key, parentRedisKey))) {
    await writeFull();
    return;
  }
  const keep = parent.length - cut;
  const fingerprint = await fingerprintElements(parent);
  const done = chain
    ? await forkChain(commands, parentRedisKey, childRedisKeys, chain, {
        count: parent.length,
        fingerprint,
        keep,
        ttlSeconds,
        deadline,
        fresh,
      })
    : await runScript(
        commands,
        REDIS_SCRIPTS.forkCopy,
        [parentRedisKey, ...childRedisKeys],
        [deadline, ttlSeconds, parent.length, fingerprint, keep, ...fresh],
      );
  // 0: the parent is not what the caller read (changed, gone, legacy): send it in full.
  if (Number(done) !== 1) await writeFull();
}

/** One FORK_CHAIN call from the hint of the read before (found again when there is none). */
async function forkChain(
  commands: RedisCommands,
  parent: string,
  children: readonly string[],
  chain: ChainForkContext,
  call: Pick<ForkChainCall, "count" | "fingerprint" | "keep" | "ttlSeconds" | "deadline" | "fresh">,
): Promise<unknown> {
  const { clientKeyPrefix, clock } = chain;
  const full: ForkChainCall = {
    ...call,
    parent,
    children,
    clientKeyPrefix,
    clock,
    link: chainLinkElement({ take: call.keep, parent: clientKeyPrefix + parent }),
  };
  const known = chain.hints.get(clientKeyPrefix + parent);
  let request = known && forkChainRequest(known, full);
  if (!request) {
    const reply = (await runScript(commands, REDIS_SCRIPTS.readChain, [parent], [call.count])) as
      | unknown[]
      | undefined;
    const found = Array.isArray(reply) ? chainHintOf(reply[7], reply[8]) : undefined;
    request = found && forkChainRequest(found, full);
  }
  if (!request) return 0;
  return runScript(commands, REDIS_SCRIPTS.forkChain, request.keys, request.args);
}
