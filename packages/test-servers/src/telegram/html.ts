/**
 * HTML parse mode, after TDLib's parse_html (https://core.telegram.org/bots/api#html-style),
 * held to the Bot API's documented rules where TDLib is lenient: `<`, `>` and `&` outside a
 * tag or an entity are refused (TDLib keeps them as text), the only entities are `&lt; &gt;
 * &amp; &quot;` and numeric references, each ending in `;` (TDLib keeps `&ge;` as text and
 * takes `&lt` without `;`), and tags nest as the entity rules say (html-nesting.ts; TDLib
 * repairs what breaks them). A test against this server thus sees markup Telegram would
 * take only by guessing, or would show differently, as an error.
 */

import { sortEntities } from "./entities";
import { nestingError } from "./html-nesting";
import type { MessageEntity } from "./types";

export class HtmlParseError extends Error {}

const HTML_TAGS = new Set([
  "a",
  "b",
  "strong",
  "i",
  "em",
  "u",
  "ins",
  "s",
  "strike",
  "del",
  "span",
  "tg-spoiler",
  "tg-emoji",
  "code",
  "pre",
  "blockquote",
]);

const isSpace = (ch: string | undefined) =>
  ch === " " || ch === "\t" || ch === "\n" || ch === "\r" || ch === "\f" || ch === "\v";

const NAMED_ENTITIES: Record<string, string> = { lt: "<", gt: ">", amp: "&", quot: '"' };

/**
 * Decodes the entity at `pos` (an "&"): `&lt;` `&gt;` `&amp;` `&quot;`, `&#N;` or `&#xH;`.
 * Anything else is an error, as the Bot API documents.
 */
function decodeEntity(html: string, pos: number, at: string): { char: string; end: number } {
  let end = pos + 1;
  if (html[end] === "#") {
    end++;
    const hex = html[end] === "x" || html[end] === "X";
    if (hex) end++;
    const digitsStart = end;
    while (end < html.length && (hex ? /[0-9a-fA-F]/ : /[0-9]/).test(html[end]!)) end++;
    const digits = html.slice(digitsStart, end);
    const code = digits === "" ? 0 : Number.parseInt(digits, hex ? 16 : 10);
    if (digits === "" || html[end] !== ";" || code === 0 || code > 0x10ffff) {
      throw new HtmlParseError(
        `Invalid numeric HTML entity "${html.slice(pos, end + 1)}" ${at}: write &#N; or &#xH; with a valid code point`,
      );
    }
    if (code >= 0xd800 && code <= 0xdfff) {
      throw new HtmlParseError(
        "Text contains invalid Unicode characters after decoding HTML entities, check for unmatched surrogate code units",
      );
    }
    return { char: String.fromCodePoint(code), end: end + 1 };
  }
  while (end < html.length && /[A-Za-z0-9]/.test(html[end]!)) end++;
  const name = html.slice(pos + 1, end);
  if (name === "") {
    throw new HtmlParseError(`Character "&" ${at} must be written as "&amp;"`);
  }
  const char = NAMED_ENTITIES[name];
  if (char === undefined || html[end] !== ";") {
    throw new HtmlParseError(
      `Unsupported HTML entity "${html.slice(pos, html[end] === ";" ? end + 1 : end)}" ${at}: only &lt; &gt; &amp; &quot; and numeric entities, ending in ";", are supported`,
    );
  }
  return { char, end: end + 1 };
}

interface OpenTag {
  name: string;
  start: number;
  attributes: Map<string, string>;
  byteOffset: number;
  /** pre only: its `<code>` (the language form) has opened; after it closes, nothing may follow. */
  codeChild?: "open" | "closed";
}

/** Parses Telegram HTML into plain text and entities; throws HtmlParseError with Telegram's
 * wording ("Unsupported start tag \"br\" at byte offset 5", ...). */
export function parseHtml(html: string): { text: string; entities: MessageEntity[] } {
  const byteOffset = (index: number) => Buffer.byteLength(html.slice(0, index), "utf8");
  const fail = (message: string): never => {
    throw new HtmlParseError(message);
  };
  let text = "";
  const stack: OpenTag[] = [];
  const collected: Array<MessageEntity & { codeLanguage?: string }> = [];
  let i = 0;
  const n = html.length;
  const append = (chars: string, at: number) => {
    const top = stack.at(-1);
    if (top?.codeChild === "closed") {
      fail(
        `Text after "</code>" inside "pre" at byte offset ${byteOffset(at)}: pre and code can't contain other entities`,
      );
    }
    text += chars;
  };
  while (i < n) {
    const ch = html[i]!;
    if (ch === "&") {
      const decoded = decodeEntity(html, i, `at byte offset ${byteOffset(i)}`);
      append(decoded.char, i);
      i = decoded.end;
      continue;
    }
    if (ch === ">") fail(`Character ">" at byte offset ${byteOffset(i)} must be written as "&gt;"`);
    if (ch !== "<") {
      append(ch, i);
      i++;
      continue;
    }
    const begin = i;
    i++;
    if (html[i] === "/") {
      // End tag.
      i++;
      if (stack.length === 0) fail(`Unexpected end tag at byte offset ${byteOffset(begin)}`);
      const nameStart = i;
      while (i < n && !isSpace(html[i]) && html[i] !== ">") i++;
      const endName = html.slice(nameStart, i).toLowerCase();
      while (i < n && isSpace(html[i])) i++;
      if (html[i] !== ">") fail(`Unclosed end tag at byte offset ${byteOffset(begin)}`);
      i++;
      const open = stack.pop()!;
      if (endName !== "" && endName !== open.name) {
        fail(
          `Unmatched end tag at byte offset ${byteOffset(begin)}, expected "</${open.name}>", found "</${endName}>"`,
        );
      }
      const parent = stack.at(-1);
      if (open.name === "code" && parent?.codeChild === "open") parent.codeChild = "closed";
      const length = text.length - open.start;
      if (length > 0) {
        const entity = tagEntity(open, text.slice(open.start));
        if (entity) collected.push({ ...entity, offset: open.start, length });
      }
      continue;
    }
    // Start tag.
    const nameStart = i;
    while (i < n && !isSpace(html[i]) && html[i] !== ">") i++;
    if (i >= n) fail(`Unclosed start tag at byte offset ${byteOffset(begin)}`);
    const name = html.slice(nameStart, i).toLowerCase();
    if (!HTML_TAGS.has(name)) {
      fail(`Unsupported start tag "${name}" at byte offset ${byteOffset(begin)}`);
    }
    const attributes = new Map<string, string>();
    while (html[i] !== ">") {
      while (i < n && isSpace(html[i])) i++;
      if (i >= n) fail(`Unclosed start tag "${name}" at byte offset ${byteOffset(begin)}`);
      if (html[i] === ">") break;
      const attrStart = i;
      while (i < n && !isSpace(html[i]) && html[i] !== "=" && html[i] !== ">") i++;
      const attrName = html.slice(attrStart, i).toLowerCase();
      if (attrName === "") {
        fail(`Empty attribute name in the tag "${name}" at byte offset ${byteOffset(begin)}`);
      }
      while (i < n && isSpace(html[i])) i++;
      if (html[i] !== "=") {
        attributes.set(attrName, "");
        continue;
      }
      i++;
      while (i < n && isSpace(html[i])) i++;
      if (i >= n) fail(`Unclosed start tag "${name}" at byte offset ${byteOffset(begin)}`);
      let value = "";
      const quote = html[i];
      if (quote !== '"' && quote !== "'") {
        const tokenStart = i;
        while (i < n && /[A-Za-z0-9.-]/.test(html[i]!)) i++;
        value = html.slice(tokenStart, i).toLowerCase();
        if (i < n && !isSpace(html[i]) && html[i] !== ">") {
          fail(`Unexpected end of name token at byte offset ${byteOffset(tokenStart)}`);
        }
      } else {
        i++;
        while (i < n && html[i] !== quote) {
          if (html[i] === "&") {
            const decoded = decodeEntity(html, i, `at byte offset ${byteOffset(i)}`);
            value += decoded.char;
            i = decoded.end;
            continue;
          }
          value += html[i];
          i++;
        }
        if (html[i] === quote) i++;
      }
      if (i >= n) fail(`Unclosed start tag at byte offset ${byteOffset(begin)}`);
      attributes.set(attrName, value);
    }
    i++;
    if (name === "span" && attributes.get("class") !== "tg-spoiler") {
      fail(`Tag "span" must have class "tg-spoiler" at byte offset ${byteOffset(begin)}`);
    }
    if (name === "tg-emoji" && !/^[0-9]+$/.test(attributes.get("emoji-id") ?? "")) {
      fail(`Custom emoji entity must contain a tg://emoji URL at byte offset ${byteOffset(begin)}`);
    }
    const top = stack.at(-1);
    if (name === "code" && top?.name === "pre" && !top.codeChild && top.start === text.length) {
      top.codeChild = "open"; // <pre><code class="language-x">: one pre entity
    } else {
      const at = `at byte offset ${byteOffset(begin)}`;
      const reason = nestingError(
        name,
        stack.map((tag) => tag.name),
        at,
      );
      if (reason) fail(reason);
    }
    stack.push({ name, start: text.length, attributes, byteOffset: byteOffset(begin) });
  }
  if (stack.length > 0) {
    fail(`Can't find end tag corresponding to start tag "${stack[stack.length - 1]!.name}"`);
  }
  // <pre><code class="language-x">…</code></pre> over the same range is one pre entity with a
  // language; any other code keeps no language.
  const entities: MessageEntity[] = [];
  for (const entity of collected) {
    if (entity.type === "code" && entity.codeLanguage) {
      const pre = collected.find(
        (other) =>
          other.type === "pre" && other.offset === entity.offset && other.length === entity.length,
      );
      if (pre) {
        pre.language = entity.codeLanguage;
        continue;
      }
    }
    const { codeLanguage: _language, ...plain } = entity;
    entities.push(plain);
  }
  return { text, entities: sortEntities(entities) };
}

function tagEntity(
  open: OpenTag,
  inner: string,
): (Omit<MessageEntity, "offset" | "length"> & { codeLanguage?: string }) | undefined {
  switch (open.name) {
    case "b":
    case "strong":
      return { type: "bold" };
    case "i":
    case "em":
      return { type: "italic" };
    case "u":
    case "ins":
      return { type: "underline" };
    case "s":
    case "strike":
    case "del":
      return { type: "strikethrough" };
    case "span":
    case "tg-spoiler":
      return { type: "spoiler" };
    case "tg-emoji":
      return { type: "custom_emoji", custom_emoji_id: open.attributes.get("emoji-id")! };
    case "blockquote":
      return { type: open.attributes.has("expandable") ? "expandable_blockquote" : "blockquote" };
    case "pre":
      return { type: "pre" };
    case "code": {
      const language = /^language-(.+)$/.exec(open.attributes.get("class") ?? "")?.[1];
      return language ? { type: "code", codeLanguage: language } : { type: "code" };
    }
    case "a": {
      const href = open.attributes.get("href") ?? inner;
      const user = /^tg:\/\/user\?id=(\d+)$/i.exec(href);
      if (user) {
        return {
          type: "text_mention",
          user: { id: Number(user[1]), is_bot: false, first_name: "" },
        };
      }
      const url = normalizeUrl(href);
      return url ? { type: "text_link", url } : undefined;
    }
    default:
      return undefined;
  }
}

/** TDLib-like URL check: http(s)/tg/ton schemes (http assumed), a host, "/" before ?/#. */
function normalizeUrl(raw: string): string | undefined {
  const candidate = /^[a-z][a-z0-9+.-]*:\/\//i.test(raw) ? raw : `http://${raw}`;
  const match = /^([a-z][a-z0-9+.-]*):\/\/([^/?#\s]+)([^\s]*)$/i.exec(candidate);
  if (!match) return undefined;
  const scheme = match[1]!.toLowerCase();
  const host = match[2]!.toLowerCase();
  let rest = match[3]!;
  if (!["http", "https", "tg", "ton", "tonsite"].includes(scheme)) return undefined;
  if (
    (scheme === "http" || scheme === "https") &&
    !/^[^.]+(\.[^.]+)+$|^localhost(:\d+)?$/.test(host)
  ) {
    return undefined;
  }
  if (scheme === "http" || scheme === "https") {
    if (!rest.startsWith("/")) rest = `/${rest}`;
  }
  return `${scheme}://${host}${rest}`;
}
