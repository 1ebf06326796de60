/** HTML parse mode, after TDLib's parse_html (https://core.telegram.org/bots/api#html-style). */

import { sortEntities } from "./entities";
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

/** Decodes `&lt;` `&gt;` `&amp;` `&quot;` and numeric references at `pos`; anything else is
 * literal text, as Telegram keeps it. */
function decodeEntity(html: string, pos: number): { char: string; end: number } | undefined {
  let end = pos + 1;
  let code = 0;
  if (html[end] === "#") {
    end++;
    if (html[end] === "x") {
      end++;
      while (end < html.length && /[0-9a-fA-F]/.test(html[end]!)) {
        code = code * 16 + Number.parseInt(html[end]!, 16);
        end++;
      }
    } else {
      while (end < html.length && /[0-9]/.test(html[end]!)) {
        code = code * 10 + Number(html[end]);
        end++;
      }
    }
    if (code === 0 || code >= 0x10ffff || end - pos >= 10) return undefined;
    if (code >= 0xd800 && code <= 0xdfff) {
      throw new HtmlParseError(
        "Text contains invalid Unicode characters after decoding HTML entities, check for unmatched surrogate code units",
      );
    }
  } else {
    while (end < html.length && /[A-Za-z]/.test(html[end]!)) end++;
    const name = html.slice(pos + 1, end);
    const named: Record<string, string> = { lt: "<", gt: ">", amp: "&", quot: '"' };
    if (!(name in named)) return undefined;
    code = named[name]!.charCodeAt(0);
  }
  if (html[end] === ";") end++;
  return { char: String.fromCodePoint(code), end };
}

interface OpenTag {
  name: string;
  start: number;
  attributes: Map<string, string>;
  byteOffset: number;
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
  while (i < n) {
    const ch = html[i]!;
    if (ch === "&") {
      const decoded = decodeEntity(html, i);
      if (decoded) {
        text += decoded.char;
        i = decoded.end;
        continue;
      }
    }
    if (ch !== "<") {
      text += ch;
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
            const decoded = decodeEntity(html, i);
            if (decoded) {
              value += decoded.char;
              i = decoded.end;
              continue;
            }
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
