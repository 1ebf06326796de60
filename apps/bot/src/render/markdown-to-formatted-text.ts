import type {
  Definition,
  List,
  ListItem,
  Nodes,
  PhrasingContent,
  Root,
  RootContent,
  Table,
} from "mdast";
import type { EntityType, MessageEntity, RenderedMarkdown, SourceSpan } from "./formatted-text";
import { parseMarkdown } from "./parse-markdown";

/**
 * Markdown (CommonMark + GFM) → Telegram formatted text.
 *
 * What Telegram has an entity for keeps it: strong → bold, emphasis → italic, delete →
 * strikethrough, code spans → code, code blocks → pre with their language, links → text_link,
 * block quotes → blockquote. The rest becomes readable text: headings bold, list items with
 * `•`/`1.`/`☐`/`☑` markers and indented nesting, table rows as `a | b` lines (header bold),
 * rules as `———`, footnotes as `[1]`, images as a link on their alt text. Raw HTML is text, shown
 * as written. Telegram's nesting rules (https://core.telegram.org/bots/api#formatting-options)
 * decide conflicts: code inside bold leaves the bold, code inside a link is plain link text,
 * a quote inside a quote merges with it, and a link goes only to a target Telegram accepts
 * (http(s) with a domain, or tg://); any other target follows its label as ` (target)`.
 */
export function markdownToFormattedText(markdown: string): RenderedMarkdown {
  const tree = parseMarkdown(markdown);
  return new Renderer(markdown, tree).render(tree);
}

interface Mark {
  type: EntityType;
  url?: string;
  language?: string;
}

interface Context {
  /** Outer to inner; at most one of each type. */
  marks: readonly Mark[];
  /** Written after each line break inside the current container (list item continuation). */
  indent: string;
}

interface Run {
  offset: number;
  length: number;
  marks: readonly Mark[];
}

interface Source {
  start: number;
  end: number;
}

const BULLETS = ["•", "◦", "▪"];

class Renderer {
  #text = "";
  readonly #runs: Run[] = [];
  readonly #spans: SourceSpan[] = [];
  /** The line breaks owed before the next output, and the marks they may carry. */
  #pending: { newlines: number; marks: readonly Mark[]; afterHeading?: boolean } | undefined;
  /** Where the line breaks after a heading start: a split keeps a heading with its section. */
  readonly #keepWithNext: number[] = [];
  /** The earliest source start of the nodes entered since the last output. */
  #entered: number | undefined;
  readonly #definitions = new Map<string, Definition>();
  #listDepth = 0;

  constructor(
    private readonly markdown: string,
    tree: Root,
  ) {
    collectDefinitions(tree, this.#definitions);
  }

  render(tree: Root): RenderedMarkdown {
    this.blocks(tree.children, { marks: [], indent: "" }, 2);
    return {
      text: this.#text,
      entities: this.#entities(),
      spans: this.#spans,
      keepWithNext: this.#keepWithNext,
    };
  }

  // -- blocks ------------------------------------------------------------------------------

  /** Renders blocks one after another, `newlines` line breaks between two that show text. */
  blocks(nodes: readonly RootContent[], context: Context, newlines: number): void {
    for (const node of nodes) {
      const before = this.#text.length;
      this.block(node, context);
      if (this.#text.length > before) {
        this.#pending = { newlines, marks: context.marks, afterHeading: node.type === "heading" };
      }
    }
  }

  block(node: RootContent, context: Context): void {
    this.#enter(node);
    switch (node.type) {
      case "paragraph":
        this.inlines(node.children, context);
        return;
      case "heading":
        this.inlines(node.children, withMark(context, { type: "bold" }));
        return;
      case "thematicBreak":
        this.decorate("———", context, node);
        return;
      case "blockquote":
        this.blocks(node.children, withMark(context, { type: "blockquote" }), 2);
        return;
      case "list":
        this.list(node, context);
        return;
      case "code": {
        const language = node.lang ?? undefined;
        const code = codeSource(node, this.markdown);
        // A code block starts on its own line, unindented: its text is the code, as written.
        this.emit(node.value, [...blockMarks(context), { type: "pre", language }], code, true, "");
        return;
      }
      case "html":
        this.textContent(node.value, context, node);
        return;
      case "table":
        this.table(node, context);
        return;
      case "footnoteDefinition":
        this.decorate(`[${node.label ?? node.identifier}] `, context, node);
        this.blocks(node.children, context, 1);
        return;
      case "definition":
        return;
      default:
        // Phrasing content where a block is expected (mdast allows it in some parents).
        this.inline(node as PhrasingContent, context);
    }
  }

  list(list: List, context: Context): void {
    const newlines = list.spread ? 2 : 1;
    let number = list.start ?? 1;
    this.#listDepth++;
    for (const item of list.children) {
      const before = this.#text.length;
      const marker = this.#marker(list, item, number++);
      this.#enter(item);
      this.decorate(marker, context, item);
      this.blocks(
        item.children,
        { marks: context.marks, indent: context.indent + " ".repeat(marker.length) },
        newlines,
      );
      if (this.#text.length > before) this.#pending = { newlines, marks: context.marks };
    }
    this.#listDepth--;
  }

  #marker(list: List, item: ListItem, number: number): string {
    const box = item.checked === true ? "☑ " : item.checked === false ? "☐ " : "";
    if (list.ordered) return `${number}. ${box}`;
    return box || `${BULLETS[(this.#listDepth - 1) % BULLETS.length]} `;
  }

  table(table: Table, context: Context): void {
    table.children.forEach((row, index) => {
      const cellContext = index === 0 ? withMark(context, { type: "bold" }) : context;
      this.#enter(row);
      row.children.forEach((cell, column) => {
        if (column > 0) this.decorate(" | ", context, cell);
        this.inlines(cell.children, cellContext);
      });
      this.#pending = { newlines: 1, marks: context.marks };
    });
  }

  // -- inlines -----------------------------------------------------------------------------

  inlines(nodes: readonly PhrasingContent[], context: Context): void {
    for (const node of nodes) this.inline(node, context);
  }

  inline(node: PhrasingContent, context: Context): void {
    this.#enter(node);
    switch (node.type) {
      case "text":
      case "html":
        this.textContent(node.value, context, node);
        return;
      case "emphasis":
        this.inlines(node.children, withMark(context, { type: "italic" }));
        return;
      case "strong":
        this.inlines(node.children, withMark(context, { type: "bold" }));
        return;
      case "delete":
        this.inlines(node.children, withMark(context, { type: "strikethrough" }));
        return;
      case "inlineCode": {
        // Telegram: code is part of no entity but a quote; inside a link the link wins.
        const marks = hasMark(context, "text_link")
          ? context.marks
          : [...blockMarks(context), { type: "code" as const }];
        this.emit(node.value, marks, sourceOf(node), true, context.indent);
        return;
      }
      case "break":
        this.decorate(`\n${context.indent}`, context, node);
        return;
      case "link":
        this.link(node.url, context, node, (inner) => this.inlines(node.children, inner));
        return;
      case "linkReference": {
        const url = this.#definitions.get(node.identifier)?.url;
        if (url === undefined) this.inlines(node.children, context);
        else this.link(url, context, node, (inner) => this.inlines(node.children, inner));
        return;
      }
      case "image":
        this.link(node.url, context, node, (inner) =>
          this.textContent(node.alt ?? "", inner, node),
        );
        return;
      case "imageReference": {
        const url = this.#definitions.get(node.identifier)?.url;
        const alt = (inner: Context) => this.textContent(node.alt ?? "", inner, node);
        if (url === undefined) alt(context);
        else this.link(url, context, node, alt);
        return;
      }
      case "footnoteReference":
        this.decorate(`[${node.label ?? node.identifier}]`, context, node);
        return;
    }
  }

  /**
   * A link (or an image: a link on its alt text) to `url`, its label drawn by `label` in the
   * context given. A target Telegram does not take is shown after the label instead; inside
   * another link, only the label shows.
   */
  link(url: string, context: Context, node: Nodes, label: (context: Context) => void): void {
    if (hasMark(context, "text_link")) {
      // An image inside a link (a badge): the outer link is the target.
      label(context);
      return;
    }
    const before = this.#text.length;
    const linkable = isTelegramUrl(url);
    const inner = linkable ? withMark(context, { type: "text_link", url }) : context;
    label(inner);
    const shown = this.#text.slice(before);
    if (linkable) {
      if (shown.trim() === "") this.decorate(url, inner, node);
      return;
    }
    const target = url.replace(/^mailto:/i, "");
    if (target && !shown.includes(target)) {
      this.decorate(shown.trim() === "" ? target : ` (${target})`, context, node);
    }
  }

  /** Text from the Markdown; inside a list item each line break is followed by its indent. */
  textContent(value: string, context: Context, node: Nodes): void {
    const source = sourceOf(node);
    if (context.indent === "" || !value.includes("\n")) {
      this.emit(value, context.marks, source, true, context.indent);
      return;
    }
    let from = source.start;
    value.split("\n").forEach((line, index) => {
      if (index > 0) {
        const lineBreak = this.markdown.indexOf("\n", from);
        from = lineBreak === -1 || lineBreak >= source.end ? source.end : lineBreak + 1;
        this.emit("\n", context.marks, { start: from - 1, end: from }, true, context.indent);
        this.emit(context.indent, context.marks, { start: from, end: from }, false, "");
      }
      this.emit(line, context.marks, { start: from, end: source.end }, true, context.indent);
    });
  }

  /** Text the renderer adds (markers, separators), placed at `node` in the source. */
  decorate(value: string, context: Context, node: Nodes): void {
    this.emit(value, context.marks, sourceOf(node), false, context.indent);
  }

  /**
   * Appends `value` with `marks`. Line breaks owed by the previous block come first, carrying
   * the marks both sides share, then `indent`.
   */
  emit(value: string, marks: readonly Mark[], source: Source, content: boolean, indent: string) {
    if (value === "") return;
    if (this.#pending) {
      const { newlines, marks: before, afterHeading } = this.#pending;
      this.#pending = undefined;
      if (afterHeading) this.#keepWithNext.push(this.#text.length);
      const shared = before.filter((mark) => marks.includes(mark));
      const at = { start: source.start, end: source.start };
      this.#append(`${"\n".repeat(newlines)}${indent}`, shared, at, false);
    }
    // A part starting here falls back to the Markdown from the first node that starts here.
    const start = Math.min(source.start, this.#entered ?? source.start);
    this.#entered = undefined;
    this.#append(value, marks, { start, end: source.end }, content);
  }

  #enter(node: Nodes): void {
    const start = node.position?.start.offset;
    if (start !== undefined) this.#entered = Math.min(start, this.#entered ?? start);
  }

  #append(value: string, marks: readonly Mark[], source: Source, content: boolean): void {
    const offset = this.#text.length;
    this.#text += value;
    this.#runs.push({ offset, length: value.length, marks });
    this.#spans.push({
      offset,
      length: value.length,
      sourceStart: source.start,
      sourceEnd: source.end,
      content,
    });
  }

  /** One entity per mark and stretch of consecutive runs that carry it. */
  #entities(): MessageEntity[] {
    const entities: MessageEntity[] = [];
    const current = new Map<Mark, MessageEntity>();
    for (const run of this.#runs) {
      for (const mark of run.marks) {
        const entity = current.get(mark);
        if (entity && entity.offset + entity.length === run.offset) {
          entity.length += run.length;
          continue;
        }
        const created: MessageEntity = { type: mark.type, offset: run.offset, length: run.length };
        if (mark.url !== undefined) created.url = mark.url;
        if (mark.language !== undefined) created.language = mark.language;
        current.set(mark, created);
        entities.push(created);
      }
    }
    return entities;
  }
}

function withMark(context: Context, mark: Mark): Context {
  // Telegram nests no entity in one of its own type: the outer one covers the inner.
  if (hasMark(context, mark.type)) return context;
  return { ...context, marks: [...context.marks, mark] };
}

function hasMark(context: Context, type: EntityType): boolean {
  return context.marks.some((mark) => mark.type === type);
}

/** The marks code may sit inside: Telegram puts code and pre in no entity but a quote. */
function blockMarks(context: Context): Mark[] {
  return context.marks.filter((mark) => mark.type === "blockquote");
}

function sourceOf(node: Nodes): Source {
  return { start: node.position?.start.offset ?? 0, end: node.position?.end.offset ?? 0 };
}

/** A fenced block's code starts on the line after its fence. */
function codeSource(node: Nodes, markdown: string): Source {
  const source = sourceOf(node);
  const opening = markdown.slice(source.start, source.end);
  if (!/^[ \t]*(```|~~~)/.test(opening)) return source;
  const lineBreak = opening.indexOf("\n");
  return { start: lineBreak === -1 ? source.end : source.start + lineBreak + 1, end: source.end };
}

function collectDefinitions(node: Nodes, into: Map<string, Definition>): void {
  if (node.type === "definition") {
    if (!into.has(node.identifier)) into.set(node.identifier, node);
    return;
  }
  if ("children" in node) for (const child of node.children) collectDefinitions(child, into);
}

/**
 * A target Telegram opens: http(s) with a domain name (or localhost), or tg://. Anything
 * else (a relative path, mailto:, ftp:) would be dropped or refused by Telegram.
 */
export function isTelegramUrl(url: string): boolean {
  if (/^tg:\/\/\S+$/i.test(url)) return true;
  if (!/^https?:\/\/\S+$/i.test(url)) return false;
  try {
    const { hostname } = new URL(url);
    return hostname === "localhost" || /^[^.]+(\.[^.]+)+$/.test(hostname);
  } catch {
    return false;
  }
}
