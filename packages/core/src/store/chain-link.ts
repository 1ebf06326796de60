import type { StoredElement } from "./contract";

/*
 * The chained layout: a reply key holds a link to its parent, then only its own turn's items.
 * Its history is the newest `take` items of its parent's history, then its own items:
 *
 *   history(key) = newest(history(link.parent), link.take) ++ own(key)
 *
 * A key without a link (a full list, the copy layout's) or a legacy JSON string ends a chain.
 * The link is the list's first element, a JSON object that is not an item: a reader that does
 * not know the layout skips it as a malformed element and reads the key's own (newest) items.
 *
 * Every reader follows a link only when `followLink` allows it (here for TypeScript, and as
 * `CHAIN_LINK_LUA` for the Redis scripts, made from the same constants): to a reply key of the
 * same chat under the same prefix as the key holding the link, only the message id differing,
 * with a positive integer `take`. Anything else ends the walk there, is reported, and the key
 * it names is never read or touched: a planted or corrupt link cannot pull another chat's
 * history in, and a reply never links past it.
 */

/** How every link element starts (its fixed field order lets Lua and JS spot it without parsing). */
export const CHAIN_LINK_PREFIX = '{"type":"agents_memory.link",';

/** A reply key's link to its parent. */
export interface ChainLink {
  /** How many of the parent history's newest items this key's history starts with (>= 1). */
  take: number;
  /** The parent's key as the backend names it (for Redis: with the store's key prefix). */
  parent: string;
  /**
   * Redis only, written by the fork script: the earliest time (ms since the epoch, the
   * server's clock) at which any key this key's history reads from, other than itself, may
   * expire; 0 when none of them expires. A fork whose parent's floor outlasts the new reply
   * raises the parent's TTL alone (see FORK_CHAIN). Absent: unknown (every key is checked).
   */
  floor?: number;
}

/**
 * Why a link is not followed:
 * - `bad-link`: the element starts like a link but is not one (not JSON, no string `parent`);
 * - `bad-take`: its `take` is 0, negative or not an integer;
 * - `not-a-reply-key`: the key holding it, or its parent, is not `<prefix>:<messageId>:<chatId>`;
 * - `other-prefix`, `other-chat`: the parent lives under another prefix, or in another chat;
 * - `same-key`: the link names the key holding it.
 */
export type LinkRefusal =
  | "bad-link"
  | "bad-take"
  | "not-a-reply-key"
  | "other-prefix"
  | "other-chat"
  | "same-key";

/** What a walk does at a key whose first element is `element` (see {@link followLink}). */
export type ChainStep =
  | {
      /** No link: the chain ends here, whole. */
      kind: "end";
    }
  | {
      /** Follow the link to its parent. */
      kind: "link";
      /** The link to follow. */
      link: ChainLink;
    }
  | {
      /** A link that must not be followed: the walk ends here, short. */
      kind: "refused";
      /** Why. */
      reason: LinkRefusal;
      /** The key the link names, when it names a string (never read). */
      parent?: string;
    };

/**
 * How many keys a walk may read that add no item to the history (a key holding only a link)
 * before it stops and reports the history as cut short: a read reads at most the window's
 * items plus this many keys, however long a chain of such keys is.
 */
export const CHAIN_WALK_SLACK = 8;

/**
 * The stored form of a link: `{"type":"agents_memory.link","take":n,"parent":"key"}`, then
 * `,"floor":ms` before the closing brace when it has one (the fork script appends it:
 * `with_floor` in {@link CHAIN_LINK_LUA}).
 */
export function chainLinkElement(link: ChainLink): string {
  const fields: Record<string, unknown> = {
    type: "agents_memory.link",
    take: link.take,
    parent: link.parent,
  };
  if (link.floor !== undefined) fields[CHAIN_LINK_FLOOR] = link.floor;
  return JSON.stringify(fields);
}

/**
 * How much longer than a new reply a Redis fork keeps the keys its window reads from: TTL / 8
 * more, so the forks that follow within that time check their parent alone (see FORK_CHAIN).
 */
export const CHAIN_TTL_SLACK_DIVISOR = 8;

/** The name of a link's last field, its expiry floor (see {@link ChainLink.floor}). */
export const CHAIN_LINK_FLOOR = "floor";

/** The parts of a reply key, as text. */
export interface ReplyKeyParts {
  /** Everything before the message id (may hold colons). */
  prefix: string;
  /** The message id (a positive integer). */
  messageId: string;
  /** The chat id (negative for groups). */
  chatId: string;
}

/**
 * A reply key's parts: `<prefix>:<messageId>:<chatId>` (the prefix may hold colons, and for
 * Redis includes a client's key prefix: the key as the server sees it). Undefined otherwise.
 */
export function replyKeyParts(key: string): ReplyKeyParts | undefined {
  const match = REPLY_KEY.exec(key);
  if (!match) return undefined;
  return { prefix: match[1]!, messageId: match[2]!, chatId: match[3]! };
}

// The same shape as `reply_key_parts` in CHAIN_LINK_LUA: a greedy prefix, then the last two
// colon-separated parts: a positive message id and a chat id (negative for groups).
const REPLY_KEY = /^(.+):([1-9][0-9]*):(-?[0-9]+)$/s;

/** Why `holder` may not link to `parent`, or undefined when it may. */
export function linkRefusal(holder: string, parent: string): LinkRefusal | undefined {
  if (holder === parent) return "same-key";
  const from = replyKeyParts(holder);
  const to = replyKeyParts(parent);
  if (!from || !to) return "not-a-reply-key";
  if (from.prefix !== to.prefix) return "other-prefix";
  if (from.chatId !== to.chatId) return "other-chat";
  return undefined;
}

/** What a walk at `holder` does with its first stored element (see the module comment). */
export function followLink(holder: string, element: StoredElement | undefined): ChainStep {
  const decoded = decodeLink(element);
  if (decoded === undefined) return { kind: "end" };
  if (decoded === "bad-link") return { kind: "refused", reason: "bad-link" };
  const { parent, take } = decoded;
  if (!isTake(take)) return { kind: "refused", reason: "bad-take", parent };
  const refusal = linkRefusal(holder, parent);
  if (refusal) return { kind: "refused", reason: refusal, parent };
  return { kind: "link", link: { take, parent } };
}

/**
 * The link a stored element holds when it is well formed (a string parent, a positive integer
 * take), whatever keys it joins; undefined otherwise. Walks use {@link followLink}.
 */
export function parseChainLink(element: StoredElement | undefined): ChainLink | undefined {
  const decoded = decodeLink(element);
  if (decoded === undefined || decoded === "bad-link" || !isTake(decoded.take)) return undefined;
  const link: ChainLink = { take: decoded.take, parent: decoded.parent };
  if (typeof decoded.floor === "number") link.floor = decoded.floor;
  return link;
}

function isTake(take: unknown): take is number {
  return typeof take === "number" && Number.isInteger(take) && take >= 1;
}

/** A link element's fields; undefined when it is no link, "bad-link" when it is a broken one. */
function decodeLink(
  element: StoredElement | undefined,
): { parent: string; take: unknown; floor?: unknown } | "bad-link" | undefined {
  if (element === undefined || !element.startsWith(CHAIN_LINK_PREFIX)) return undefined;
  try {
    const value = JSON.parse(element) as {
      take?: unknown;
      parent?: unknown;
      floor?: unknown;
    } | null;
    if (value === null || typeof value !== "object" || typeof value.parent !== "string") {
      return "bad-link";
    }
    return { parent: value.parent, take: value.take, floor: value.floor };
  } catch {
    return "bad-link";
  }
}

/** A log line's text for each refusal, shared by every store. */
export const LINK_REFUSAL_TEXT: Readonly<Record<LinkRefusal, string>> = Object.freeze({
  "bad-link": "the link element is malformed",
  "bad-take": "the link's take is not a positive integer",
  "not-a-reply-key": "a link may only join two reply keys (<prefix>:<messageId>:<chatId>)",
  "other-prefix": "the link names a key under another prefix",
  "other-chat": "the link names another chat's key",
  "same-key": "the link names the key holding it",
});

/**
 * `follow(holder, element)` in Lua, the same rule as {@link followLink}: returns `parent, take`
 * to follow, nil when `element` is not a link, or `false, reason, parent` when refused.
 * `link_floor(element)`: the link's floor (a number), or nil when it has none;
 * `with_floor(element, floor)`: the link element with `floor` as its last field.
 */
export const CHAIN_LINK_LUA = `
local LINK_PREFIX = ${luaString(CHAIN_LINK_PREFIX)}
local FLOOR_FIELD = ${luaString(`,"${CHAIN_LINK_FLOOR}":`)}
local function link_floor(element)
  return tonumber(string.match(element, FLOOR_FIELD .. '(%d+)}$'))
end
local function with_floor(element, floor)
  return string.sub(element, 1, -2) .. FLOOR_FIELD .. string.format('%.0f', floor) .. '}'
end
local WALK_SLACK = ${CHAIN_WALK_SLACK}
local function reply_key_parts(key)
  return string.match(key, '^(.+):([1-9][0-9]*):(%-?[0-9]+)$')
end
local function link_refusal(holder, parent)
  if holder == parent then return 'same-key' end
  local from_prefix, _, from_chat = reply_key_parts(holder)
  local to_prefix, _, to_chat = reply_key_parts(parent)
  if not (from_prefix and to_prefix) then return 'not-a-reply-key' end
  if from_prefix ~= to_prefix then return 'other-prefix' end
  if from_chat ~= to_chat then return 'other-chat' end
  return nil
end
local function follow(holder, element)
  if type(element) ~= 'string' or string.sub(element, 1, #LINK_PREFIX) ~= LINK_PREFIX then return nil end
  local ok, link = pcall(cjson.decode, element)
  if not (ok and type(link) == 'table' and type(link.parent) == 'string') then return false, 'bad-link', '' end
  local take = link.take
  if type(take) ~= 'number' or take < 1 or take ~= math.floor(take) or take == math.huge then
    return false, 'bad-take', link.parent
  end
  local refusal = link_refusal(holder, link.parent)
  if refusal then return false, refusal, link.parent end
  return link.parent, take
end`;

function luaString(text: string): string {
  return `'${text.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;
}
