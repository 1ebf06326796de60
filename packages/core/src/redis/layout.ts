import type { AgentInputItem } from "@openai/agents";
import { HistoryConflictError, type HistoryConflictReason } from "../errors";
import { describeCause, type MemoryLogger } from "../logger";
import { tokenWindowLimit } from "../policy/token-window";
import { CHAIN_LINK_PREFIX } from "../store/chain-link";
import type {
  HistoryGap,
  HistoryTransaction,
  StoredElement,
  StoredItems,
  TransactOptions,
} from "../store/contract";
import { replaceFunctionCallIn } from "../store/history";
import { reportHistoryGap } from "../store/history-gap";
import {
  emptyStored,
  newestStored,
  parseStoredElement,
  parseStoredItems,
  serializeItems,
  trimElements,
} from "../store/stored-json";
import { storedTokenCount } from "../store/token-count";
import { type ChainHints, chainHintOf } from "./chain-hint";
import type { RedisArgument, RedisCommands } from "./commands";
import { convertingLegacy, legacySha, parseLegacyStored, parseLegacyValue } from "./legacy";
import { olderOperationsKey, operationsKey } from "./operations-key";
import { REDIS_SCRIPTS, runScript } from "./script-runner";

/*
 * The store operations on the Redis layout (one list of JSON strings per key; on the chained
 * layout a reply key's list starts with a link to its parent), written once
 * for every client: an adapter gives its commands (`RedisCommands`) and keeps its own budget,
 * retries and key prefix around each call.
 */

function script(
  commands: RedisCommands,
  name: keyof typeof REDIS_SCRIPTS,
  keys: readonly string[],
  args: readonly RedisArgument[],
): Promise<unknown> {
  return runScript(commands, REDIS_SCRIPTS[name], keys, args);
}

/** Who is asking, for the warnings the layout logs. */
export interface RedisLayoutContext {
  /** The key as the caller named it (without the adapter's prefix). */
  key: string;
  /** Where skipped elements and replaced values of another type are reported. */
  logger: MemoryLogger;
  /** The adapter's name in log fields, e.g. "ioredis". */
  store: string;
  /**
   * Read a JSON array stored as a plain string (the Python bot's cache format) as its items,
   * and convert it to a list on the first write. When false, such a string is a value of
   * another type: read as empty, replaced by a write.
   */
  legacyStrings: boolean;
  /** What the client prepends to every key itself (ioredis's `keyPrefix`); see `operationsKey`. */
  clientKeyPrefix?: string;
}

/**
 * How reply keys are stored. `chain`: each reply key holds a link to its parent and only its
 * turn's new items; a read assembles the window along the chain in one script call (single
 * node and Upstash). `copy`: each reply key holds its whole window (Redis Cluster, where a
 * chat's keys hash to different slots and no script may walk from one to the next).
 */
export type RedisLayout = "chain" | "copy";

/**
 * Reads the newest `limit` items of the history under a key (`limit` undefined or positive).
 * `chain`: one READ_CHAIN script call, whatever the key holds. `copy`: a plain LRANGE; a key of
 * another type (a legacy string) takes a second trip through the read script, and so does a key
 * that turns out to be a chain (written by a store on the chained layout). The read script
 * copies the whole history through Lua: LRANGE gives row 7 +33-55% turns/s over it (`pnpm bench
 * --cells 50x1024,200x4096 --rows agents-memory,agents-memory-copy,upstash`).
 */
export async function readLayout(
  commands: RedisCommands,
  redisKey: string,
  limit: number | undefined,
  context: RedisLayoutContext,
  layout: RedisLayout = "copy",
  hints?: ChainHints,
): Promise<StoredItems> {
  if (layout === "chain") return readChain(commands, redisKey, limit, context, hints);
  let reply: [string, unknown?];
  try {
    reply = ["list", await commands.lrange(redisKey, limit === undefined ? 0 : -limit, -1)];
  } catch (error) {
    if (!(error instanceof Error && /\bWRONGTYPE\b/.test(error.message))) throw error;
    reply = (await script(commands, "read", [redisKey], [limit ?? -1])) as [string, unknown?];
  }
  const [kind, payload] = reply;
  if (kind === "list") {
    const elements = payload as unknown[];
    if (elements.length === 0) return { ...emptyStored(), gap: { kind: "absent", at: redisKey } };
    if (!startsWithLink(elements[0])) return parseStoredItems(elements, context);
    try {
      return await readChain(commands, redisKey, limit, context, hints);
    } catch (error) {
      // A chain where no script may walk it (its parent on another Cluster slot): its own items.
      context.logger.warn(
        { store: context.store, key: context.key, cause: describeCause(error) },
        "the key links to its parent in the chained layout, which cannot be walked here; read its own items only",
      );
      return parseStoredItems(elements.slice(1), context);
    }
  }
  if (kind === "string" && context.legacyStrings)
    return newestStored(parseLegacyStored(payload, context), limit);
  if (kind === "none") return { ...emptyStored(), gap: { kind: "absent", at: redisKey } };
  context.logger.warn(
    { store: context.store, key: context.key, type: kind },
    "the key holds a value of another type; read as empty",
  );
  return { ...emptyStored(), gap: { kind: "other-type", at: redisKey, detail: kind } };
}

function startsWithLink(element: unknown): boolean {
  return typeof element === "string" && element.startsWith(CHAIN_LINK_PREFIX);
}

/**
 * The READ_CHAIN script: the lists along the chain, and a legacy string where it ends in one.
 * What it walked is kept in `hints` (under the key as Redis names it) for the fork that follows.
 */
async function readChain(
  commands: RedisCommands,
  redisKey: string,
  limit: number | undefined,
  context: RedisLayoutContext,
  hints?: ChainHints,
): Promise<StoredItems> {
  const [elements, tailReply, tailValue, tailLimit, lists, tailKey, tailDetail, head, walked] =
    (await runScript(commands, REDIS_SCRIPTS.readChain, [redisKey], [limit ?? -1])) as unknown[];
  const hint = chainHintOf(head, walked);
  if (hints && hint && hint.lists.length > 0) hints.set(hint.lists[0]!.key, hint);
  const tailKind = String(tailReply);
  const at = String(tailKey ?? "");
  const newer = parseStoredItems(elements as unknown[], context);
  if (tailKind === "") {
    return Number(lists) === 0 ? { ...newer, gap: { kind: "absent", at: redisKey } } : newer;
  }
  if (tailKind === "string" && context.legacyStrings) {
    const wanted = Number(tailLimit);
    const older = newestStored(
      parseLegacyStored(tailValue, context),
      wanted < 0 ? undefined : wanted,
    );
    return {
      items: [...older.items, ...newer.items],
      elements: [...older.elements, ...newer.elements],
    };
  }
  let gap: HistoryGap;
  if (tailKind === "missing" || tailKind === "deep" || tailKind === "cycle") {
    gap = { kind: tailKind, at };
  } else if (tailKind === "refused") {
    gap = { kind: "refused", at, detail: String(tailDetail), parent: String(tailValue) };
  } else if (Number(lists) === 0) {
    context.logger.warn(
      { store: context.store, key: context.key, type: tailKind },
      "the key holds a value of another type; read as empty",
    );
    return { ...newer, gap: { kind: "other-type", at: redisKey, detail: tailKind } };
  } else {
    gap = { kind: "other-type", at, detail: tailKind };
  }
  reportHistoryGap(context.logger, { store: context.store, key: context.key }, gap);
  return { ...newer, gap };
}

/**
 * Each key becomes exactly `elements` with the TTL, in one script call. `deadline` (here and in
 * every write below) is in the server's clock: past it, the script changes nothing and answers
 * a DEADLINE error (see `ServerClock`, and the fence in `./lua`); 0 for none.
 */
export function writeLayout(
  commands: RedisCommands,
  redisKeys: string[],
  elements: readonly StoredElement[],
  ttlSeconds: number,
  deadline: number,
): Promise<unknown> {
  return script(commands, "write", redisKeys, [deadline, ttlSeconds, ...elements]);
}

/**
 * Deletes the key and its operation records (see {@link operationsKey}), in one script call
 * (fenced like every write).
 */
export function clearLayout(
  commands: RedisCommands,
  redisKey: string,
  deadline: number,
  clientKeyPrefix = "",
): Promise<unknown> {
  const records = [
    operationsKey(redisKey, clientKeyPrefix),
    olderOperationsKey(redisKey, clientKeyPrefix),
  ];
  return script(commands, "clear", [redisKey, ...records], [deadline]);
}

/** A legacy string converted client-side: its sha1, and the elements to store in its place. */
type Converted = { sha: string; elements: string[] };
/** What a script is given before any conversion: no sha1, no elements. */
const NOT_CONVERTED: Converted = { sha: "", elements: [] };

/**
 * A conversion as every writing script takes it (`legacy_args` in the scripts' prelude): the
 * sha1, the count of elements, the elements.
 */
function legacyArgs({ sha, elements }: Converted): RedisArgument[] {
  return [sha, elements.length, ...elements];
}

/**
 * Appends, trims and refreshes the TTL in one script call. A legacy string is converted here
 * (Lua's cjson would reorder object keys), then the script checks by its sha1 that it is still
 * the same string; a concurrent change makes it answer again with the new value.
 */
export async function appendLayout(
  commands: RedisCommands,
  redisKey: string,
  items: readonly AgentInputItem[],
  options: { maxItems: number; ttlSeconds: number; maxTokens?: number },
  context: RedisLayoutContext,
  deadline: number,
): Promise<void> {
  const { maxItems, ttlSeconds, maxTokens } = options;
  const elements = serializeItems(items);
  const limit = tokenWindowLimit(
    elements.length,
    maxItems,
    maxTokens,
    (index) => storedTokenCount(elements[index]!) ?? 0,
  );
  if (elements.length > limit) {
    // More new items than the window holds (by count or tokens): the window lies inside them
    // (the item before it too), so nothing stored before them survives the trim and the key
    // becomes the window.
    await writeLayout(
      commands,
      [redisKey],
      trimElements(elements, maxItems, maxTokens),
      ttlSeconds,
      deadline,
    );
    return;
  }
  return convertingLegacy<void, Converted>(async (legacy = NOT_CONVERTED) => {
    const reply = (await script(
      commands,
      "append",
      [redisKey],
      [deadline, maxItems, ttlSeconds, maxTokens ?? 0, ...legacyArgs(legacy), ...elements],
    )) as [string, string, string?];
    if (reply[0] === "ok") {
      if (reply[1]) {
        context.logger.warn(
          { store: context.store, key: context.key, type: reply[1] },
          "append replaced a value of another type with the list layout",
        );
      }
      return { done: undefined };
    }
    const sha = await legacySha(reply);
    if (!context.legacyStrings) {
      // Replaced like any value of another type: the script drops it when its sha matches.
      context.logger.warn(
        { store: context.store, key: context.key, type: "string" },
        "append replaced a value of another type with the list layout",
      );
      return { converted: { sha, elements: [] } };
    }
    // All of it: the script trims legacy + new items as one list (see `windowStartBy`).
    return { converted: { sha, elements: serializeItems(parseLegacyValue(reply[1], context)) } };
  });
}

/**
 * Pops the newest well-formed item (see the POP script). Elements dropped on the way, by the
 * script or by the JSON parser, are logged once. A legacy JSON-array string is converted to the
 * list layout minus its newest item, which is returned.
 */
export async function popLayout(
  commands: RedisCommands,
  redisKey: string,
  context: RedisLayoutContext,
  deadline: number,
): Promise<AgentInputItem | undefined> {
  let skipped = 0;
  type Popped = Converted & { newest: AgentInputItem };
  try {
    return await convertingLegacy<AgentInputItem | undefined, Popped>(async (legacy) => {
      const args = [deadline, ...legacyArgs(legacy ?? NOT_CONVERTED)];
      for (;;) {
        const reply = (await script(commands, "pop", [redisKey], args)) as unknown[];
        switch (String(reply[0])) {
          case "item": {
            skipped += Number(reply[1]);
            const item = parseStoredElement(reply[2]);
            if (item) return { done: item };
            skipped++; // off the list already: pop the next one
            continue;
          }
          case "empty":
            skipped += Number(reply[1]);
            return { done: undefined };
          case "legacy": {
            if (!context.legacyStrings) return { done: undefined };
            const items = parseLegacyValue(reply[1], context);
            // Nothing to pop (read reads it as empty too): leave the value alone.
            if (items.length === 0) return { done: undefined };
            const sha = await legacySha(reply);
            const elements = serializeItems(items.slice(0, -1));
            return { converted: { sha, elements, newest: items[items.length - 1]! } };
          }
          case "converted":
            return { done: legacy?.newest };
          default:
            return { done: undefined };
        }
      }
    });
  } finally {
    if (skipped > 0) {
      context.logger.warn(
        { store: context.store, key: context.key, skipped },
        "pop dropped stored elements that are not JSON objects",
      );
    }
  }
}

/**
 * `SessionStore.transact` in one script call (TRANSACT): the history under `redisKey` and its
 * operation record (the hash at {@link operationsKey}, same Cluster slot) change together or
 * not at all. A legacy string is converted here, as in {@link appendLayout} (one more call);
 * with `legacyStrings` off it is a value of another type: empty, replaced by the change.
 * Rejects with `HistoryConflictError` on a reused id or a suffix that does not match.
 */
export async function transactLayout(
  commands: RedisCommands,
  redisKey: string,
  transaction: HistoryTransaction,
  options: TransactOptions,
  context: RedisLayoutContext,
  deadline: number,
): Promise<"applied" | "already-applied"> {
  const { operationId, fingerprint } = options;
  const [expected, fresh] =
    transaction.type === "append_items"
      ? [[], serializeItems(transaction.items)]
      : [serializeItems(transaction.expectedSuffix), serializeItems(transaction.replacement)];
  type Outcome = "applied" | "already-applied";
  return convertingLegacy<Outcome, Converted>(async (legacy = NOT_CONVERTED) => {
    let reply: [string, string?, string?];
    try {
      reply = (await script(
        commands,
        "transact",
        [
          redisKey,
          operationsKey(redisKey, context.clientKeyPrefix),
          olderOperationsKey(redisKey, context.clientKeyPrefix),
        ],
        [
          deadline,
          operationId,
          fingerprint,
          options.maxItems ?? 0,
          options.ttlSeconds ?? 0,
          options.maxTokens ?? 0,
          ...legacyArgs(legacy),
          expected.length,
          ...expected,
          ...fresh,
        ],
      )) as [string, string?, string?];
    } catch (error) {
      const reason = conflictReason(error);
      if (reason) throw new HistoryConflictError({ reason, key: context.key, operationId });
      throw error;
    }
    if (reply[0] === "already") return { done: "already-applied" };
    if (reply[0] === "applied") {
      if (reply[1]) {
        context.logger.warn(
          { store: context.store, key: context.key, type: reply[1] },
          "transact replaced a value of another type with the list layout",
        );
      }
      return { done: "applied" };
    }
    const elements = context.legacyStrings
      ? serializeItems(parseLegacyValue(reply[1], context))
      : [];
    return { converted: { sha: await legacySha(reply), elements } };
  });
}

/** The reason of a TRANSACT script's CONFLICT error reply, or undefined for any other error. */
function conflictReason(error: unknown): HistoryConflictReason | undefined {
  const match =
    error instanceof Error
      ? /\bCONFLICT (operation-reused|suffix-mismatch)\b/.exec(error.message)
      : null;
  return (match?.[1] as HistoryConflictReason | undefined) ?? undefined;
}

/**
 * `SessionStore.replaceFunctionCall` in one script call (REPLACE_FUNCTION_CALL); the key keeps
 * its TTL. A legacy string is converted here, the replacement applied to its items (a second
 * call only when it holds the call); with `legacyStrings` off it is left alone.
 */
export async function replaceFunctionCallLayout(
  commands: RedisCommands,
  redisKey: string,
  callId: string,
  replacement: AgentInputItem,
  context: RedisLayoutContext,
  deadline: number,
): Promise<boolean> {
  const element = JSON.stringify(replacement);
  return convertingLegacy<boolean, Converted>(async (legacy = NOT_CONVERTED) => {
    const reply = (await script(
      commands,
      "replaceFunctionCall",
      [redisKey],
      [deadline, callId, element, ...legacyArgs(legacy)],
    )) as [string, string?, string?];
    if (reply[0] === "replaced") return { done: true };
    if (reply[0] !== "legacy" || !context.legacyStrings) return { done: false };
    const items = serializeItems(parseLegacyValue(reply[1], context));
    const replaced = replaceFunctionCallIn(items, callId, element);
    if (!replaced) return { done: false };
    return { converted: { sha: await legacySha(reply), elements: replaced } };
  });
}
