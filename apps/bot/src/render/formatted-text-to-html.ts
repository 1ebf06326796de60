import type { FormattedText, MessageEntity } from "./formatted-text";

/**
 * Formatted text → Telegram's HTML subset (https://core.telegram.org/bots/api#html-style):
 * `<b> <i> <s> <code> <pre> <pre><code class="language-x"> <a href> <blockquote>`, and only
 * `&lt; &gt; &amp; &quot;` as entities. The entities must nest properly (as `FormattedText`
 * promises); the tags then balance by construction.
 */
export function formattedTextToHtml({ text, entities }: FormattedText): string {
  const sorted = entities
    .map((entity, order) => ({ entity, order }))
    .sort(
      (a, b) =>
        a.entity.offset - b.entity.offset || b.entity.length - a.entity.length || a.order - b.order,
    )
    .map(({ entity }) => entity);
  const open: MessageEntity[] = [];
  let html = "";
  let position = 0;
  /** Writes the text up to `to`, closing each open entity that ends on the way. */
  const advance = (to: number) => {
    for (let top = open.at(-1); top && top.offset + top.length <= to; top = open.at(-1)) {
      html += escapeHtml(text.slice(position, top.offset + top.length)) + closingTag(top);
      position = top.offset + top.length;
      open.pop();
    }
    html += escapeHtml(text.slice(position, to));
    position = to;
  };
  for (const entity of sorted) {
    advance(entity.offset);
    html += openingTag(entity);
    open.push(entity);
  }
  advance(text.length);
  return html;
}

export function escapeHtml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

function escapeAttribute(text: string): string {
  return escapeHtml(text).replace(/"/g, "&quot;");
}

function openingTag(entity: MessageEntity): string {
  switch (entity.type) {
    case "bold":
      return "<b>";
    case "italic":
      return "<i>";
    case "strikethrough":
      return "<s>";
    case "code":
      return "<code>";
    case "pre":
      return entity.language
        ? `<pre><code class="language-${escapeAttribute(entity.language)}">`
        : "<pre>";
    case "text_link":
      return `<a href="${escapeAttribute(entity.url ?? "")}">`;
    case "blockquote":
      return "<blockquote>";
  }
}

function closingTag(entity: MessageEntity): string {
  switch (entity.type) {
    case "bold":
      return "</b>";
    case "italic":
      return "</i>";
    case "strikethrough":
      return "</s>";
    case "code":
      return "</code>";
    case "pre":
      return entity.language ? "</code></pre>" : "</pre>";
    case "text_link":
      return "</a>";
    case "blockquote":
      return "</blockquote>";
  }
}
