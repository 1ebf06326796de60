import type { Root } from "mdast";
import { fromMarkdown } from "mdast-util-from-markdown";
import { gfmFromMarkdown } from "mdast-util-gfm";
import { gfm } from "micromark-extension-gfm";
import { keepUnderscoresOfBareUrls } from "./bare-url-underscores";

/**
 * Markdown → mdast, as CommonMark + GitHub Flavored Markdown read it (tables, strikethrough,
 * task lists, footnotes, bare URLs), with source positions on every node. Lone UTF-16
 * surrogates become U+FFFD first: Telegram only takes well-formed UTF-8.
 */
export function parseMarkdown(markdown: string): Root {
  const tree = fromMarkdown(wellFormed(markdown), {
    extensions: [gfm()],
    mdastExtensions: [gfmFromMarkdown()],
  });
  keepUnderscoresOfBareUrls(tree);
  return tree;
}

/** `markdown` with each lone surrogate replaced by U+FFFD (String#toWellFormed, ES2024). */
export function wellFormed(markdown: string): string {
  return markdown.replace(
    /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g,
    "\uFFFD",
  );
}
