/**
 * A small Markdown subset → Telegram HTML: code blocks, inline code, bold, italic,
 * strikethrough, links and headings. Everything else is escaped, so the output only holds
 * tags Telegram accepts. If Telegram still rejects it, the sender falls back to plain text.
 */

export function escapeHtml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

function escapeAttribute(text: string): string {
  return escapeHtml(text).replace(/"/g, "&quot;");
}

const PLACEHOLDER = "\u0000";

export function markdownToTelegramHtml(markdown: string): string {
  const protectedParts: string[] = [];
  const protect = (html: string) => {
    protectedParts.push(html);
    return `${PLACEHOLDER}${protectedParts.length - 1}${PLACEHOLDER}`;
  };

  let text = markdown.split(PLACEHOLDER).join("");
  // Fenced code blocks (an unclosed fence runs to the end).
  text = text.replace(
    /```([\w+#.-]*)[^\S\n]*\n?([\s\S]*?)(?:```|$(?![\s\S]))/g,
    (_m, lang, code) => {
      const body = escapeHtml(String(code).replace(/\n$/, ""));
      return protect(
        lang
          ? `<pre><code class="language-${escapeAttribute(lang)}">${body}</code></pre>`
          : `<pre>${body}</pre>`,
      );
    },
  );
  // Inline code.
  text = text.replace(/`([^`\n]+)`/g, (_m, code) => protect(`<code>${escapeHtml(code)}</code>`));
  // Links: [label](http(s)://…), the URL may hold balanced parentheses (Wikipedia's do).
  const link = /\[([^\]\n]+)\]\(((?:https?|tg):\/\/(?:[^\s()]|\([^\s()]*\))+)\)/g;
  text = text.replace(link, (_m, label, url) =>
    protect(`<a href="${escapeAttribute(url)}">${inline(escapeHtml(label))}</a>`),
  );

  text = escapeHtml(text);
  // Headings become bold lines; list bullets become •.
  text = text.replace(/^#{1,6}[ \t]+(.+?)[ \t]*#*$/gm, (_m, title) => `**${title}**`);
  text = text.replace(/^([ \t]*)[-*+][ \t]+/gm, "$1• ");
  text = inline(text);

  return text.replace(
    new RegExp(`${PLACEHOLDER}(\\d+)${PLACEHOLDER}`, "g"),
    (_m, index) => protectedParts[Number(index)] ?? "",
  );
}

/** Bold, italic and strikethrough on already-escaped text. */
function inline(text: string): string {
  return (
    text
      .replace(/\*\*(?=\S)([^\n]*?\S)\*\*/g, "<b>$1</b>")
      // Not inside a word: x__y__z and __init__ after a backslash stay as they are.
      .replace(/(^|[^\w\\])__(?=\S)([^\n]*?\S)__(?!\w)/g, "$1<b>$2</b>")
      .replace(/~~(?=\S)([^\n]*?\S)~~/g, "<s>$1</s>")
      .replace(/(^|[^\w*])\*(?=\S)([^*\n]*?\S)\*(?![\w*])/g, "$1<i>$2</i>")
      .replace(/(^|[^\w])_(?=\S)([^_\n]*?\S)_(?!\w)/g, "$1<i>$2</i>")
  );
}
