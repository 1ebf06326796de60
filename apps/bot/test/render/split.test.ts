import { parseHtml } from "@agents-memory/test-servers/telegram";
import { describe, expect, test } from "vitest";
import { markdownToTelegramParts, plainTextParts } from "../../src/render/telegram-parts";

const para = (n: number, len: number) => `${String(n).padStart(3, "0")} ${"x".repeat(len - 4)}`;
const texts = (markdown: string, limit?: number) =>
  markdownToTelegramParts(markdown, limit).map((p) => p.text);

describe("splitting a rendered answer below the limit", () => {
  test("a short answer is one part", () => {
    expect(markdownToTelegramParts("hello **you**")).toEqual([
      { html: "hello <b>you</b>", text: "hello you", markdown: "hello **you**" },
    ]);
  });

  test("cuts at blank lines first, in the second half of the limit", () => {
    const paragraphs = Array.from({ length: 6 }, (_, i) => para(i, 1500));
    const parts = texts(paragraphs.join("\n\n"));
    expect(parts).toEqual([
      paragraphs.slice(0, 2).join("\n\n"),
      paragraphs.slice(2, 4).join("\n\n"),
      paragraphs.slice(4).join("\n\n"),
    ]);
  });

  test("then at line breaks, then at spaces, then between characters", () => {
    const lines = Array.from({ length: 10 }, (_, i) => para(i, 900));
    expect(texts(lines.join("\n"))).toEqual([
      lines.slice(0, 4).join("\n"),
      lines.slice(4, 8).join("\n"),
      lines.slice(8).join("\n"),
    ]);
    const words = Array.from({ length: 30 }, (_, i) => `w${String(i).padStart(2, "0")}`);
    // 16 per part: "w00 … w03" is 15 characters, one more word would make 19.
    expect(texts(words.join(" "), 16)).toEqual(
      Array.from({ length: 8 }, (_, i) => words.slice(i * 4, i * 4 + 4).join(" ")).filter(Boolean),
    );
    expect(texts("abcdefghijklmnopqrstuvwxyz", 16)).toEqual(["abcdefghijklmnop", "qrstuvwxyz"]);
  });

  test("never inside a surrogate pair, a ZWJ sequence, a flag or a letter with its accent", () => {
    const cases: Array<[string, number]> = [
      ["😀", 2],
      ["👨‍👩‍👧‍👦", 11],
      ["🇺🇦", 4],
      ["e\u0301", 2],
      ["👍🏽", 4],
    ];
    for (const [cluster, size] of cases) {
      const text = cluster.repeat(3000);
      const parts = texts(text);
      expect(parts.join("")).toBe(text);
      for (const part of parts) {
        expect(part.length).toBeLessThanOrEqual(4096);
        expect(part.length % size).toBe(0);
        expect(part.startsWith(cluster)).toBe(true);
      }
    }
  });

  test("a code block cut in two is closed and reopened, with its language", () => {
    const code = Array.from({ length: 300 }, (_, i) => `const v${i} = ${i}; // some code`);
    const parts = markdownToTelegramParts(`Here:\n\n\`\`\`ts\n${code.join("\n")}\n\`\`\`\n\nDone.`);
    expect(parts.length).toBeGreaterThan(1);
    expect(parts.map((p) => p.text).join("\n")).toBe(`Here:\n\n${code.join("\n")}\n\nDone.`);
    for (const [index, part] of parts.entries()) {
      const { text, entities } = parseHtml(part.html);
      expect(text).toBe(part.text);
      const pre = entities.find((e) => e.type === "pre");
      expect(pre).toMatchObject({ language: "ts" });
      if (index > 0) expect(part.html.startsWith('<pre><code class="language-ts">')).toBe(true);
      if (index < parts.length - 1) expect(part.html.endsWith("</code></pre>")).toBe(true);
    }
  });

  test("Python keeps its indentation: the cut goes before an unindented line", () => {
    const body = Array.from({ length: 40 }, (_, i) => `    x${i} = compute(${i})`);
    const functions = Array.from({ length: 5 }, (_, f) => [`def f${f}():`, ...body].join("\n"));
    const parts = markdownToTelegramParts(`\`\`\`python\n${functions.join("\n")}\n\`\`\``, 2000);
    for (const part of parts) expect(part.text.startsWith("def f")).toBe(true);
  });

  test("formatting across a cut is closed in one part and reopened in the next", () => {
    const words = Array.from({ length: 60 }, (_, i) => `word${i}`).join(" ");
    const parts = markdownToTelegramParts(`**${words}** and [a link](https://example.com/x)`, 100);
    for (const part of parts) {
      const { text, entities } = parseHtml(part.html);
      expect(text).toBe(part.text);
      expect(entities[0]).toMatchObject({ type: "bold", offset: 0 });
    }
    expect(parts.at(-1)!.html).toContain('<a href="https://example.com/x">a link</a>');
  });

  test("a cut prefers a space outside a link to one inside it", () => {
    const label = "a link label of several words";
    const before = "x".repeat(40);
    const parts = texts(`${before} [${label}](https://example.com/l) tail`, 60);
    expect(parts).toEqual([before, `${label} tail`]);
  });

  test("a heading stays with its section", () => {
    const body = "y".repeat(1500);
    const markdown = `${body}\n\n${body}\n\n## Next\n\n${body}`;
    // The blank line after "Next" fits below 4,096; cutting there would leave the heading alone.
    expect(texts(markdown)).toEqual([`${body}\n\n${body}`, `Next\n\n${body}`]);
  });

  test("each part's plain-text fallback is the Markdown it shows", () => {
    const first = `**Intro** with AT&amp;T, \\*stars\\* and [a link](https://example.com/a_b). ${"a".repeat(2500)}`;
    const list = Array.from({ length: 48 }, (_, i) => `- item _${i}_ ${"b".repeat(50)}`).join("\n");
    const table = `| h1 | h2 |\n|---|---|\n${Array.from({ length: 20 }, (_, i) => `| c${i} | d${i} |`).join("\n")}`;
    const markdown = `${first}\n\n${list}\n\n${table}`;
    const parts = markdownToTelegramParts(markdown, 3000);
    expect(parts.map((p) => p.markdown.slice(0, 12))).toEqual([
      "**Intro** wi",
      "- item _0_ b",
      "| h1 | h2 |\n",
    ]);
    expect(parts.map((p) => p.markdown).join("\n\n")).toBe(markdown);
  });

  test("a cut inside a paragraph maps back through escapes and character references", () => {
    const words = Array.from({ length: 40 }, (_, i) => `AT&amp;T\\_${i}`).join(" ");
    const parts = markdownToTelegramParts(words, 100);
    expect(parts.length).toBeGreaterThan(1);
    expect(parts.map((p) => p.markdown).join(" ")).toBe(words);
    for (const part of parts) expect(part.markdown.startsWith("AT&amp;T\\_")).toBe(true);
  });

  test("plain text splits the same way", () => {
    expect(plainTextParts(`${"a".repeat(3000)}\n\n${"b".repeat(3000)}`)).toEqual([
      "a".repeat(3000),
      "b".repeat(3000),
    ]);
    expect(() => plainTextParts("x", 15)).toThrow(RangeError);
  });
});
