/**
 * Telegram's rules for entities inside entities, as tags: the Bot API's "nested entities"
 * (https://core.telegram.org/bots/api#formatting-options), stated exactly by TDLib's
 * are_entities_valid (td/telegram/MessageEntity.cpp):
 * - pre and code contain no other entity, and are inside no entity but a block quote
 *   (`<pre><code class="language-x">` is one entity, handled by the parser);
 * - a link or custom emoji contains no link, custom emoji or block quote;
 * - block quotes are not nested;
 * - no entity is inside another of its own type.
 * Bold, italic, underline, strikethrough and spoiler may otherwise contain and be part of any.
 * Telegram repairs a message that breaks them (dropping or merging entities); this server
 * refuses it instead, so a test sees formatting that would not reach the reader as sent.
 */

type EntityKind =
  | "bold"
  | "italic"
  | "underline"
  | "strikethrough"
  | "spoiler"
  | "link"
  | "custom_emoji"
  | "code"
  | "pre"
  | "blockquote";

const KIND: Record<string, EntityKind> = {
  b: "bold",
  strong: "bold",
  i: "italic",
  em: "italic",
  u: "underline",
  ins: "underline",
  s: "strikethrough",
  strike: "strikethrough",
  del: "strikethrough",
  span: "spoiler",
  "tg-spoiler": "spoiler",
  a: "link",
  "tg-emoji": "custom_emoji",
  code: "code",
  pre: "pre",
  blockquote: "blockquote",
};

const isCode = (kind: EntityKind) => kind === "code" || kind === "pre";
const isContinuous = (kind: EntityKind) => kind === "link" || kind === "custom_emoji";

/**
 * Why the tag `name` may not open inside the open tags `outer` (outermost first), or
 * undefined when it may. Tag names are lowercase and supported; `at` says where ("at byte
 * offset 12").
 */
export function nestingError(
  name: string,
  outer: readonly string[],
  at: string,
): string | undefined {
  const kind = KIND[name]!;
  for (const parentName of outer) {
    const parent = KIND[parentName]!;
    const reason =
      parent === kind
        ? "an entity can't contain another of its type"
        : isCode(parent)
          ? "pre and code can't contain other entities"
          : isCode(kind) && parent !== "blockquote"
            ? "pre and code can be inside a block quote only"
            : isContinuous(parent) && (isContinuous(kind) || kind === "blockquote")
              ? "links and custom emoji can't contain links, custom emoji or block quotes"
              : undefined;
    if (reason) return `Tag "${name}" ${at} can't be inside "${parentName}": ${reason}`;
  }
  return undefined;
}
