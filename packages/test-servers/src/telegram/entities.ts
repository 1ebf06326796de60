/** Text as Telegram treats it: the entities it finds by itself, its entity order, trimming. */

import type { MessageEntity } from "./types";

const isWordChar = (ch: string | undefined) => ch !== undefined && /[\p{L}\p{N}_]/u.test(ch);
const isAsciiWord = (ch: string | undefined) => ch !== undefined && /[A-Za-z0-9_]/.test(ch);

/** Code point before / at a UTF-16 index (so a surrogate pair counts as one character). */
function charBefore(text: string, index: number): string | undefined {
  if (index <= 0) return undefined;
  const low = text.charCodeAt(index - 1);
  if (low >= 0xdc00 && low <= 0xdfff && index >= 2) return text.slice(index - 2, index);
  return text[index - 1];
}
function charAt(text: string, index: number): string | undefined {
  if (index >= text.length) return undefined;
  const cp = text.codePointAt(index)!;
  return String.fromCodePoint(cp);
}

/**
 * The entities Telegram finds by itself: bot commands (`/cmd` or `/cmd@bot_name`, TDLib's
 * rule: not preceded or followed by a word character, `/`, `<` or `>`) and @mentions.
 */
export function detectEntities(text: string): MessageEntity[] {
  const entities: MessageEntity[] = [];
  for (let i = text.indexOf("/"); i >= 0; i = text.indexOf("/", i + 1)) {
    const prev = charBefore(text, i);
    if (isWordChar(prev) || prev === "/" || prev === "<" || prev === ">") continue;
    let end = i + 1;
    while (isAsciiWord(text[end])) end++;
    const size = end - i - 1;
    if (size < 1 || size > 64) continue;
    if (text[end] === "@") {
      let mentionEnd = end + 1;
      while (isAsciiWord(text[mentionEnd])) mentionEnd++;
      const mentionSize = mentionEnd - end - 1;
      if (mentionSize < 3 || mentionSize > 32) continue;
      end = mentionEnd;
    }
    const next = charAt(text, end);
    if (isWordChar(next) || next === "/" || next === "<" || next === ">") continue;
    entities.push({ type: "bot_command", offset: i, length: end - i });
  }
  for (let i = text.indexOf("@"); i >= 0; i = text.indexOf("@", i + 1)) {
    if (isWordChar(charBefore(text, i))) continue;
    let end = i + 1;
    while (isAsciiWord(text[end])) end++;
    const size = end - i - 1;
    if (size < 4 || size > 32) continue;
    if (isWordChar(charAt(text, end))) continue;
    // "/cmd@bot" is a command, not a mention.
    if (entities.some((e) => e.offset < i && i < e.offset + e.length)) continue;
    entities.push({ type: "mention", offset: i, length: end - i });
  }
  return sortEntities(entities);
}

const PRIORITY: Record<string, number> = {
  blockquote: 0,
  expandable_blockquote: 0,
  pre: 11,
  code: 20,
  text_link: 49,
  text_mention: 49,
  bold: 90,
  italic: 91,
  underline: 92,
  strikethrough: 93,
  spoiler: 94,
  custom_emoji: 99,
};

/** Telegram's order: offset ascending, then length descending, then type priority. */
export function sortEntities(entities: MessageEntity[]): MessageEntity[] {
  const priority = (entity: MessageEntity) =>
    entity.type === "pre" && entity.language ? 10 : (PRIORITY[entity.type] ?? 50);
  return [...entities].sort(
    (a, b) => a.offset - b.offset || b.length - a.length || priority(a) - priority(b),
  );
}

/** Strips leading and trailing whitespace, moving and clipping entities to match. */
export function trimText(text: string, entities: MessageEntity[]) {
  const start = text.length - text.trimStart().length;
  const trimmed = text.trim();
  const end = start + trimmed.length;
  const kept: MessageEntity[] = [];
  for (const entity of entities) {
    const from = Math.max(entity.offset, start);
    const to = Math.min(entity.offset + entity.length, end);
    if (to > from) kept.push({ ...entity, offset: from - start, length: to - from });
  }
  return { text: trimmed, entities: kept };
}
