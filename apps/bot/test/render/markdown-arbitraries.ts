import fc from "fast-check";

/**
 * Generated Markdown for the property tests: documents built from the constructs models write
 * (every block and inline kind CommonMark and GFM have, nested), with text drawn from what
 * trips renderers up (delimiter runs, underscores in URLs, HTML-looking text, character
 * references, backslashes, CJK, emoji with modifiers, ZWJ sequences, flags, combining marks,
 * odd whitespace); and "soup": any string over the same characters, Markdown or not.
 */

const UNITS = [
  ..."abcxyzABC019",
  ..." \t\n",
  ..."*_~`[]()<>&#!\\|-+.:;'\"=/?%{}$^@",
  "\u00a0",
  "\r\n",
  "中",
  "文",
  "こ",
  "한",
  "😀",
  "👍🏽",
  "👨‍👩‍👧‍👦",
  "🏳️‍🌈",
  "🇺🇦",
  "e\u0301",
  "\u200b",
  "&amp;",
  "&lt;",
  "&copy;",
  "&#128512;",
  "&#x41;",
  "&bogus;",
  "\\*",
  "\\_",
  "__init__",
  "_v1_",
];

const unit = fc.constantFrom(...UNITS);
const plainUnit = fc.constantFrom(..."abcxyz019 ", "中", "😀", "👨‍👩‍👧‍👦");

/** Free text: any of the units, so delimiters and references land anywhere. */
const text = (maxLength = 12) => fc.string({ unit, maxLength });
const word = fc.string({ unit: plainUnit, minLength: 1, maxLength: 8 });

const url = fc.oneof(
  fc.constantFrom(
    "https://example.com/api/_v1_/users",
    "https://docs.python.org/3/reference/datamodel.html#object.__init__",
    "https://example.com/search?q=_test_",
    "https://en.wikipedia.org/wiki/Lisp_(programming_language)",
    "https://example.com/a?x=1&y=2",
    "http://localhost:3000/x",
    "http://intranet/x",
    "./README.md",
    "mailto:a@b.co",
    "tg://user?id=1",
    "",
  ),
  word.map((w) => `https://example.com/${encodeURIComponent(w)}_x_`),
);
const bareUrl = fc.constantFrom(
  "https://example.com/api/_v1_/users",
  "https://docs.python.org/3/reference/datamodel.html#object.__init__",
  "https://example.com/search?q=_test_",
  "www.example.com/a_b_",
  "https://x.io/p_(q)_",
  "user_name@example.com",
);

const inline: fc.Arbitrary<string> = fc.letrec<{ inline: string }>((tie) => ({
  inline: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    text(),
    fc
      .tuple(fc.constantFrom("*", "_", "**", "__", "***", "~~", "~"), tie("inline"))
      .map(([d, x]) => `${d}${x}${d}`),
    fc.tuple(fc.constantFrom("`", "``"), text(8)).map(([d, x]) => `${d}${x}${d}`),
    fc.tuple(tie("inline"), url).map(([label, target]) => `[${label}](${target})`),
    fc.tuple(tie("inline"), url).map(([label, target]) => `[${label}](<${target}> "t")`),
    fc.tuple(text(6), url).map(([alt, target]) => `![${alt}](${target})`),
    fc.tuple(text(4), url).map(([alt, target]) => `[![${alt}](${target})](${target})`),
    bareUrl,
    url.map((target) => `<${target}>`),
    fc.constantFrom("<b>", "</i>", "<br/>", "<!-- c -->", '<a href="x">', "<x-y z>"),
    fc.constantFrom("[^1]", "[ref]", "[ref][]", "\\", "  \n", "\\\n"),
    fc.array(tie("inline"), { maxLength: 4 }).map((parts) => parts.join("")),
  ),
})).inline;

const line = fc.array(inline, { minLength: 1, maxLength: 4 }).map((parts) => parts.join(""));
const indent = (block: string, by: string) => block.replace(/\n/g, `\n${by}`);

const block: fc.Arbitrary<string> = fc.letrec<{ block: string }>((tie) => ({
  block: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    fc.array(line, { minLength: 1, maxLength: 3 }).map((lines) => lines.join("\n")),
    fc.tuple(fc.integer({ min: 1, max: 6 }), line).map(([level, l]) => `${"#".repeat(level)} ${l}`),
    fc
      .tuple(
        fc.constantFrom("```", "~~~", "````"),
        fc.constantFrom("", "ts", "python", "c++", 'a"b', "<x>", "js extra"),
        fc.array(text(20), { maxLength: 4 }),
        fc.boolean(),
      )
      .map(
        ([f, lang, lines, closed]) => `${f}${lang}\n${lines.join("\n")}${closed ? `\n${f}` : ""}`,
      ),
    fc
      .array(text(10), { minLength: 1, maxLength: 3 })
      .map((lines) => lines.map((l) => `    ${l}`).join("\n")),
    tie("block").map((b) => `> ${indent(b, "> ")}`),
    fc
      .tuple(
        fc.constantFrom("- ", "* ", "1. ", "7) ", "- [ ] ", "- [x] "),
        fc.array(tie("block"), { minLength: 1, maxLength: 3 }),
        fc.boolean(),
      )
      .map(([marker, items, loose]) =>
        items
          .map((item) => `${marker}${indent(item, " ".repeat(marker.length))}`)
          .join(loose ? "\n\n" : "\n"),
      ),
    fc
      .tuple(
        fc.integer({ min: 1, max: 3 }),
        fc.array(fc.array(inline, { minLength: 3, maxLength: 3 }), { maxLength: 3 }),
      )
      .map(([columns, rows]) => {
        const row = (cells: string[]) =>
          `| ${cells
            .slice(0, columns)
            .map((c) => c.replace(/[|\n]/g, " "))
            .join(" | ")} |`;
        return [row(["h1", "h2", "h3"]), `|${" --- |".repeat(columns)}`, ...rows.map(row)].join(
          "\n",
        );
      }),
    fc.constantFrom(
      "---",
      "***",
      "<div>\n*x*\n</div>",
      "<details>",
      "[ref]: https://example.com/r_",
    ),
    line.map((l) => `[^1]: ${l}`),
  ),
})).block;

/** A document: blocks separated by blank lines or single line breaks. */
export const markdownDocument = fc
  .array(fc.tuple(block, fc.constantFrom("\n\n", "\n", "\n\n\n")), { maxLength: 6 })
  .map((blocks) => blocks.map(([b, separator]) => b + separator).join(""));

/** Any string over the same characters. */
export const markdownSoup = fc.string({ unit, maxLength: 80 });

export const generatedMarkdown = fc.oneof(markdownDocument, markdownSoup);
