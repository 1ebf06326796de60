import type { FormattedText } from "./formatted-text";

/** A part of a text: `[start, end)` in UTF-16 code units. */
export interface TextRange {
  start: number;
  end: number;
}

const graphemes = new Intl.Segmenter(undefined, { granularity: "grapheme" });
const isSpace = (ch: string | undefined) => ch !== undefined && /\s/.test(ch);

export interface SplitOptions {
  /** Offsets of line breaks not to cut at if there is another choice (after a heading). */
  keepWithNext?: readonly number[];
}

/**
 * Where to cut a formatted text into messages of at most `limit` UTF-16 code units each.
 *
 * A cut goes at the last blank line that fits, else the last line break (preferring one whose
 * next line is not indented, so that code keeps its indentation: Telegram trims a message's
 * leading whitespace), else the last space, else between two characters; among spaces and
 * characters, it prefers those outside a link or code span. These are tried first in the second
 * half of the limit, so that a short introduction is not sent alone, then anywhere; the breaks
 * in `keepWithNext` come last. A cut never splits a grapheme cluster (an emoji with its
 * modifiers, a ZWJ sequence, a letter with its combining marks, CR LF), so never a surrogate
 * pair, unless one cluster alone is longer than `limit`. The whitespace at a cut, and around
 * the text, is dropped, as Telegram drops it around a message. An entity that spans a cut is
 * closed in one part and reopened in the next by `sliceFormattedText`: a code block cut in two
 * stays a code block in both, language included.
 *
 * Throws a RangeError for a `limit` below 16.
 */
export function splitFormattedText(
  { text, entities }: FormattedText,
  limit: number,
  options: SplitOptions = {},
): TextRange[] {
  if (!(limit >= 16)) throw new RangeError("limit must be at least 16");
  const boundary = graphemeBoundaries(text);
  const insideUnit = new Uint8Array(text.length + 1);
  for (const entity of entities) {
    if (entity.type !== "text_link" && entity.type !== "code") continue;
    insideUnit.fill(1, entity.offset + 1, entity.offset + entity.length);
  }
  const kept = new Uint8Array(text.length + 1);
  for (const offset of options.keepWithNext ?? []) {
    for (let at = offset; at < text.length && isSpace(text[at]); at++) kept[at] = 1;
  }
  let end = text.length;
  while (end > 0 && isSpace(text[end - 1])) end--;
  const ranges: TextRange[] = [];
  let start = skipSpace(text, 0, boundary);
  while (start < end) {
    if (end - start <= limit) {
      ranges.push({ start, end });
      break;
    }
    const cut = chooseCut(text, start, start + limit, { boundary, insideUnit, kept });
    let partEnd = cut;
    while (partEnd > start && isSpace(text[partEnd - 1])) partEnd--;
    ranges.push({ start, end: partEnd });
    start = skipSpace(text, cut, boundary);
  }
  return ranges;
}

/** The end of the next part: the best cut in `(start, last]` (see splitFormattedText). */
function chooseCut(
  text: string,
  start: number,
  last: number,
  masks: { boundary: Uint8Array; insideUnit: Uint8Array; kept: Uint8Array },
): number {
  const { boundary, insideUnit, kept } = masks;
  const preferences: Array<(at: number) => boolean> = [
    (at) => text[at] === "\n" && text[at + 1] === "\n",
    (at) => text[at] === "\n" && !isSpace(text[at + 1]),
    (at) => text[at] === "\n",
    (at) => isSpace(text[at]) && !insideUnit[at],
    (at) => isSpace(text[at]),
    (at) => !insideUnit[at],
    () => true,
  ];
  let firstText = start;
  while (isSpace(text[firstText])) firstText++;
  const half = Math.max(start + Math.floor((last - start) / 2), firstText + 1);
  for (const [from, keep] of [
    [half, false],
    [firstText + 1, false],
    [firstText + 1, true],
  ] as const) {
    for (const preferred of preferences) {
      for (let at = last; at >= from; at--) {
        if (boundary[at] && (keep || !kept[at]) && preferred(at)) return at;
      }
    }
  }
  // One grapheme cluster longer than the limit: cut it between code points.
  return /[\uDC00-\uDFFF]/.test(text[last] ?? "") ? last - 1 : last;
}
/** Past the whitespace at `from`, back to the start of a grapheme cluster. */
function skipSpace(text: string, from: number, boundary: Uint8Array): number {
  let at = from;
  while (at < text.length && isSpace(text[at])) at++;
  while (at > from && !boundary[at]) at--;
  return at;
}

/** 1 at each index a grapheme cluster starts, and at the end. */
function graphemeBoundaries(text: string): Uint8Array {
  const boundary = new Uint8Array(text.length + 1);
  for (const { index } of graphemes.segment(text)) boundary[index] = 1;
  boundary[text.length] = 1;
  return boundary;
}
