/**
 * Text plus formatting entities: Telegram's own model of a formatted message (the Bot API's
 * `text` + `entities`). Offsets and lengths count UTF-16 code units, as Telegram's do.
 */

/** The entity types the renderer produces: the subset of Telegram's that HTML can express. */
export type EntityType =
  | "bold"
  | "italic"
  | "strikethrough"
  | "code"
  | "pre"
  | "text_link"
  | "blockquote";

export interface MessageEntity {
  type: EntityType;
  offset: number;
  length: number;
  /** `text_link` only: the link target. */
  url?: string;
  /** `pre` only: the code block's language, if it has one. */
  language?: string;
}

export interface FormattedText {
  text: string;
  /** Properly nested (a child lies inside its parent), outer entities first on equal ranges. */
  entities: MessageEntity[];
}

/**
 * The source of a stretch of rendered text, for the plain-text fallback: `[sourceStart,
 * sourceEnd)` in the Markdown. `content` is true for text the Markdown holds (a word, a code
 * line); false for what the renderer adds (a list bullet, a table's " | ", a blank line).
 */
export interface SourceSpan {
  offset: number;
  length: number;
  sourceStart: number;
  sourceEnd: number;
  content: boolean;
}

/** A rendered Markdown answer: the formatted text and where each stretch of it came from. */
export interface RenderedMarkdown extends FormattedText {
  /** Cover `text` from start to end, in order. */
  spans: SourceSpan[];
  /** Offsets of the line breaks after headings, which a split avoids (SplitOptions). */
  keepWithNext: number[];
}

/** The entities of `text.slice(start, end)`, clipped to it and shifted to its start. */
export function sliceFormattedText(formatted: FormattedText, start: number, end: number) {
  const entities: MessageEntity[] = [];
  for (const entity of formatted.entities) {
    const from = Math.max(entity.offset, start);
    const to = Math.min(entity.offset + entity.length, end);
    if (to > from) entities.push({ ...entity, offset: from - start, length: to - from });
  }
  return { text: formatted.text.slice(start, end), entities };
}
