import { type RenderedMarkdown, sliceFormattedText } from "./formatted-text";
import { escapeHtml, formattedTextToHtml } from "./formatted-text-to-html";
import { markdownToFormattedText } from "./markdown-to-formatted-text";
import { splitFormattedText } from "./split-formatted-text";

/** Telegram's limit on a message's text, in UTF-16 code units (what JS `length` counts). */
export const TELEGRAM_TEXT_LIMIT = 4096;

/** One message of an answer. */
export interface TelegramPart {
  /** For `parse_mode: "HTML"`. */
  html: string;
  /** What the reader sees: the text Telegram makes of `html`. */
  text: string;
  /** The stretch of the Markdown this part shows: the plain-text fallback. May exceed the limit. */
  markdown: string;
}

/**
 * A Markdown answer as Telegram messages: rendered (markdownToFormattedText), split below
 * `limit` on the rendered text (splitFormattedText), each part HTML on its own. An answer that
 * renders to no visible text (only link definitions, an empty code block) is sent as written.
 */
export function markdownToTelegramParts(
  markdown: string,
  limit = TELEGRAM_TEXT_LIMIT,
): TelegramPart[] {
  const rendered = markdownToFormattedText(markdown);
  const ranges = splitFormattedText(rendered, limit, rendered);
  if (ranges.length === 0) {
    return plainTextParts(markdown, limit).map((text) => ({
      html: escapeHtml(text),
      text,
      markdown: text,
    }));
  }
  const sourceBounds = ranges.map((range, index) =>
    index === 0 ? 0 : sourceOffset(rendered, range.start, markdown),
  );
  sourceBounds.push(markdown.length);
  for (let i = 1; i < sourceBounds.length; i++) {
    sourceBounds[i] = Math.max(sourceBounds[i]!, sourceBounds[i - 1]!);
  }
  return ranges.map((range, index) => {
    const part = sliceFormattedText(rendered, range.start, range.end);
    return {
      html: formattedTextToHtml(part),
      text: part.text,
      markdown: markdown.slice(sourceBounds[index], sourceBounds[index + 1]).trim(),
    };
  });
}

/** Plain text in parts of at most `limit` code units, cut as splitFormattedText cuts. */
export function plainTextParts(text: string, limit = TELEGRAM_TEXT_LIMIT): string[] {
  return splitFormattedText({ text, entities: [] }, limit).map(({ start, end }) =>
    text.slice(start, end),
  );
}

/**
 * Where in the Markdown the rendered text at `offset` comes from. Inside text copied from the
 * Markdown, its characters are matched in order (escapes and character references make the
 * two differ); elsewhere it is the start of what the span renders.
 */
function sourceOffset(rendered: RenderedMarkdown, offset: number, markdown: string): number {
  const span = rendered.spans.find((s) => s.offset <= offset && offset < s.offset + s.length);
  if (!span) return markdown.length;
  const skip = offset - span.offset;
  if (!span.content || skip === 0) return span.sourceStart;
  const value = rendered.text.slice(span.offset, span.offset + span.length);
  let at = span.sourceStart;
  for (let i = 0; i <= skip; i++) {
    const found = markdown.indexOf(value[i]!, at);
    if (found === -1 || found >= span.sourceEnd) return at;
    if (i === skip) return found;
    at = found + 1;
  }
  return at;
}
