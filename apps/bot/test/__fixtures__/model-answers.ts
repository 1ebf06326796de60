/**
 * Answers as models write them, each with what a Telegram reader must see: the messages' text
 * exactly (one string per message) and every link as [its text, its target as Telegram holds
 * it]. The expectations are written by hand from the Markdown, not taken from the renderer.
 *
 * How the bot shows what Telegram has no formatting for: headings bold on their own line,
 * bullets `•` (nested `◦`, indented under the item's text), numbers `1.`, task boxes `☐`/`☑`,
 * table rows `a | b` (header bold), rules `———`, footnotes `[1]`; blocks are separated by a
 * blank line, list items by a line break.
 */
export interface ModelAnswer {
  name: string;
  markdown: string;
  /** The text of each message sent, in order (one string: one message). */
  text: string | string[];
  /** [link text, target] for every link, in order. */
  links?: Array<[string, string]>;
}

const lines = (...all: string[]) => all.join("\n");
const fence = "```";

const section = (n: number) => {
  const sentence =
    "Each step of the migration reads the old value, writes the new one and checks both. ";
  const body = sentence.repeat(8).trim(); // 8 × 84 - 1 = 671 characters
  return {
    markdown: `## Step ${n}\n\n${body} **Result ${n}:** see [log ${n}](https://ci.example.com/runs/${n}_final).`,
    text: `Step ${n}\n\n${body} Result ${n}: see log ${n}.`,
    link: [`log ${n}`, `https://ci.example.com/runs/${n}_final`] as [string, string],
  };
};
const sections = Array.from({ length: 9 }, (_, i) => section(i + 1));

const codeLines = Array.from(
  { length: 300 },
  (_, i) => `print('line ${String(i + 1).padStart(3, "0")}')`,
);

export const MODEL_ANSWERS: ModelAnswer[] = [
  {
    name: "a one-line greeting",
    markdown: "Hello! How can I help you today?",
    text: "Hello! How can I help you today?",
  },
  {
    name: "bold and italic, with * and _",
    markdown: "**Important:** the *default* timeout is __30 seconds__ and _can_ be changed.",
    text: "Important: the default timeout is 30 seconds and can be changed.",
  },
  {
    name: "nested emphasis",
    markdown:
      "***very*** important, **bold with *italic* inside** and *italic with **bold** inside*",
    text: "very important, bold with italic inside and italic with bold inside",
  },
  {
    name: "strikethrough",
    markdown: "The price is ~~$20~~ $15 today.",
    text: "The price is $20 $15 today.",
  },
  {
    name: "underscores inside words stay",
    markdown: "Set max_retry_count in config_v2.yaml and call get_user_by_id().",
    text: "Set max_retry_count in config_v2.yaml and call get_user_by_id().",
  },
  {
    name: "code spans with dunder names",
    markdown: "Override `__init__` and call `super().__init__()`; `__slots__` saves memory.",
    text: "Override __init__ and call super().__init__(); __slots__ saves memory.",
  },
  {
    name: "code span holding HTML and ampersands",
    markdown: 'Write `<div class="a">&nbsp;</div>` and `a && b`.',
    text: 'Write <div class="a">&nbsp;</div> and a && b.',
  },
  {
    name: "a Python code block between paragraphs",
    markdown: lines(
      "Here is a function:",
      "",
      `${fence}python`,
      "def add(a, b):",
      '    """Return a + b."""',
      "    return a + b",
      fence,
      "",
      "Call it with `add(1, 2)`.",
    ),
    text: lines(
      "Here is a function:",
      "",
      "def add(a, b):",
      '    """Return a + b."""',
      "    return a + b",
      "",
      "Call it with add(1, 2).",
    ),
  },
  {
    name: "TypeScript generics and comparisons in code",
    markdown: lines(
      `${fence}ts`,
      "const xs: Array<string> = [];",
      "if (a && b < c) console.log(a > b ? '<' : '&gt;');",
      fence,
    ),
    text: lines(
      "const xs: Array<string> = [];",
      "if (a && b < c) console.log(a > b ? '<' : '&gt;');",
    ),
  },
  {
    name: "shell commands with a tilde fence",
    markdown: lines("~~~bash", "npm install --save-dev vitest", "npx vitest run", "~~~"),
    text: lines("npm install --save-dev vitest", "npx vitest run"),
  },
  {
    name: "a code block the model never closed",
    markdown: lines("Example:", "", `${fence}js`, "console.log('hi');"),
    text: lines("Example:", "", "console.log('hi');"),
  },
  {
    name: "an indented code block",
    markdown: lines("Output:", "", "    $ make", "    ok"),
    text: lines("Output:", "", "$ make", "ok"),
  },
  {
    name: "a bullet list",
    markdown: lines("Pros:", "", "- fast", "- small", "* typed"),
    // "* typed" starts a second list (another bullet character): a blank line apart.
    text: lines("Pros:", "", "• fast", "• small", "", "• typed"),
  },
  {
    name: "numbered steps with code",
    markdown: lines("1. Install Node 20", "2. Run `pnpm install`", "3. Start with `pnpm start`"),
    text: lines("1. Install Node 20", "2. Run pnpm install", "3. Start with pnpm start"),
  },
  {
    name: "a list starting at 3",
    markdown: lines("3. third", "4. fourth"),
    text: lines("3. third", "4. fourth"),
  },
  {
    name: "a nested list",
    markdown: lines("- Backend", "  - Node.js", "  - PostgreSQL", "- Frontend", "  - React"),
    text: lines("• Backend", "  ◦ Node.js", "  ◦ PostgreSQL", "• Frontend", "  ◦ React"),
  },
  {
    name: "a task list",
    markdown: lines("- [x] write tests", "- [ ] ship it"),
    text: lines("☑ write tests", "☐ ship it"),
  },
  {
    name: "a loose numbered list with paragraphs",
    markdown: lines(
      "1. **Install**",
      "",
      "   Run the installer.",
      "",
      "2. **Configure**",
      "",
      "   Edit `config.yml`.",
    ),
    text: lines(
      "1. Install",
      "",
      "   Run the installer.",
      "",
      "2. Configure",
      "",
      "   Edit config.yml.",
    ),
  },
  {
    name: "a list item continued on the next line",
    markdown: lines("- first line", "  second line of the same item", "- next"),
    text: lines("• first line", "  second line of the same item", "• next"),
  },
  {
    name: "a link whose target has parentheses",
    markdown: "See [Lisp](https://en.wikipedia.org/wiki/Lisp_(programming_language)) for history.",
    text: "See Lisp for history.",
    links: [["Lisp", "https://en.wikipedia.org/wiki/Lisp_(programming_language)"]],
  },
  {
    name: "a link whose target has underscores",
    markdown: "Read [the guide](https://example.com/docs/getting_started_guide_v2) first.",
    text: "Read the guide first.",
    links: [["the guide", "https://example.com/docs/getting_started_guide_v2"]],
  },
  {
    name: "a bare URL with _v1_ in its path",
    markdown: "The endpoint is https://example.com/api/_v1_/users (GET).",
    text: "The endpoint is https://example.com/api/_v1_/users (GET).",
    links: [["https://example.com/api/_v1_/users", "https://example.com/api/_v1_/users"]],
  },
  {
    name: "a bare URL ending in #object.__init__",
    markdown: "Read https://docs.python.org/3/reference/datamodel.html#object.__init__.",
    text: "Read https://docs.python.org/3/reference/datamodel.html#object.__init__.",
    links: [
      [
        "https://docs.python.org/3/reference/datamodel.html#object.__init__",
        "https://docs.python.org/3/reference/datamodel.html#object.__init__",
      ],
    ],
  },
  {
    name: "a bare URL ending in ?q=_test_",
    markdown: "Try https://example.com/search?q=_test_ in your browser.",
    text: "Try https://example.com/search?q=_test_ in your browser.",
    links: [["https://example.com/search?q=_test_", "https://example.com/search?q=_test_"]],
  },
  {
    name: "a bare URL inside emphasis keeps the emphasis out of the link",
    markdown: "_see https://example.com/a_b_ for details",
    text: "see https://example.com/a_b for details",
    links: [["https://example.com/a_b", "https://example.com/a_b"]],
  },
  {
    name: "a code span as a link's label",
    markdown: "Run [`npm install`](https://docs.npmjs.com/cli/install) first.",
    text: "Run npm install first.",
    links: [["npm install", "https://docs.npmjs.com/cli/install"]],
  },
  {
    name: "a bold link",
    markdown: "**[Release notes](https://github.com/org/repo/releases)** are out.",
    text: "Release notes are out.",
    links: [["Release notes", "https://github.com/org/repo/releases"]],
  },
  {
    name: "angle-bracket autolinks, web and email",
    markdown: "Contact <https://example.com/support> or <help@example.com>.",
    text: "Contact https://example.com/support or help@example.com.",
    links: [["https://example.com/support", "https://example.com/support"]],
  },
  {
    name: "a www. link",
    markdown: "Visit www.example.com/path_to for more.",
    text: "Visit www.example.com/path_to for more.",
    links: [["www.example.com/path_to", "http://www.example.com/path_to"]],
  },
  {
    name: "a query string with &",
    markdown: "[search](https://example.com/s?a=1&b=2&c=%20x)",
    text: "search",
    links: [["search", "https://example.com/s?a=1&b=2&c=%20x"]],
  },
  {
    name: "a link with a title",
    markdown: '[docs](https://example.com/a_b "The docs") here',
    text: "docs here",
    links: [["docs", "https://example.com/a_b"]],
  },
  {
    name: "a relative link and a mailto link show their target",
    markdown: "See [the README](./README.md) or [email us](mailto:team@example.com).",
    text: "See the README (./README.md) or email us (team@example.com).",
  },
  {
    name: "reference-style links",
    markdown: lines(
      "Use [grammY][1] and [Vitest].",
      "",
      "[1]: https://grammy.dev/guide/",
      "[Vitest]: https://vitest.dev/guide/",
    ),
    text: "Use grammY and Vitest.",
    links: [
      ["grammY", "https://grammy.dev/guide/"],
      ["Vitest", "https://vitest.dev/guide/"],
    ],
  },
  {
    name: "an image becomes a link on its alt text",
    markdown: "![Architecture diagram](https://example.com/img/arch_v2.png)",
    text: "Architecture diagram",
    links: [["Architecture diagram", "https://example.com/img/arch_v2.png"]],
  },
  {
    name: "a badge: an image inside a link",
    markdown:
      "[![CI](https://img.shields.io/badge/ci-passing-green)](https://github.com/org/repo/actions)",
    text: "CI",
    links: [["CI", "https://github.com/org/repo/actions"]],
  },
  {
    name: "a table",
    markdown: lines(
      "| Command | Purpose |",
      "|---------|:-------:|",
      "| `ls -la` | list files |",
      "| `rm -rf` | **danger** |",
    ),
    text: lines("Command | Purpose", "ls -la | list files", "rm -rf | danger"),
  },
  {
    name: "a table with CJK and a link",
    markdown: lines(
      "| 名前 | リンク |",
      "|---|---|",
      "| 東京 | [地図](https://maps.example.com/tokyo_jp) |",
    ),
    text: lines("名前 | リンク", "東京 | 地図"),
    links: [["地図", "https://maps.example.com/tokyo_jp"]],
  },
  {
    name: "headings",
    markdown: lines("# Title", "", "## Section 1", "", "Text.", "", "### Sub", "More."),
    text: lines("Title", "", "Section 1", "", "Text.", "", "Sub", "", "More."),
  },
  {
    name: "a block quote",
    markdown: lines("> **Note:** this is a quote", "> spanning lines.", "", "After."),
    text: lines("Note: this is a quote", "spanning lines.", "", "After."),
  },
  {
    name: "a quote holding a code block, and a quote inside a quote",
    markdown: lines("> Example:", "> ```sh", "> make", "> ```", ">", "> > inner"),
    text: lines("Example:", "", "make", "", "inner"),
  },
  {
    name: "a horizontal rule",
    markdown: lines("Part one", "", "---", "", "Part two"),
    text: lines("Part one", "", "———", "", "Part two"),
  },
  {
    name: "hard line breaks",
    markdown: "Line one  \nLine two\\\nLine three",
    text: lines("Line one", "Line two", "Line three"),
  },
  {
    name: "escaped characters",
    markdown:
      "Use \\*args and \\*\\*kwargs; 2 \\* 3 = 6; a \\_literal\\_ word, a \\`tick\\` and \\[not a link\\](x).",
    text: "Use *args and **kwargs; 2 * 3 = 6; a _literal_ word, a `tick` and [not a link](x).",
  },
  {
    name: "HTML-looking text is shown as written",
    markdown: "Use <div> tags; <br> and <script>alert(1)</script> stay text; 1 < 2 && 3 > 2.",
    text: "Use <div> tags; <br> and <script>alert(1)</script> stay text; 1 < 2 && 3 > 2.",
  },
  {
    name: "an HTML block is shown as written",
    markdown: lines("<details>", "<summary>Click</summary>", "", "Hidden text", "", "</details>"),
    text: lines("<details>", "<summary>Click</summary>", "", "Hidden text", "", "</details>"),
  },
  {
    name: "character references",
    markdown:
      "Copyright &copy; 2024 &mdash; AT&amp;T &lt;tag&gt; &#128512; &#x41; and a bare & sign",
    text: "Copyright © 2024 — AT&T <tag> 😀 A and a bare & sign",
  },
  {
    name: "emoji with skin tones",
    markdown: "Done ✅ 🎉 Great job! 👍🏽 **👏🏿 bravo**",
    text: "Done ✅ 🎉 Great job! 👍🏽 👏🏿 bravo",
  },
  {
    name: "ZWJ sequences and flags",
    markdown: "Family: 👨‍👩‍👧‍👦, flags 🇺🇦🇯🇵 and 🏳️‍🌈, *👩‍💻 coding*",
    text: "Family: 👨‍👩‍👧‍👦, flags 🇺🇦🇯🇵 and 🏳️‍🌈, 👩‍💻 coding",
  },
  {
    name: "CJK with emphasis",
    markdown: lines("## 概要", "", "これは**重要**です。中文*斜体*测试。한국어 `코드`."),
    text: lines("概要", "", "これは重要です。中文斜体测试。한국어 코드."),
  },
  {
    name: "footnotes",
    markdown: lines("Fact[^1].", "", "[^1]: Source: https://example.com/paper_2024.pdf"),
    text: lines("Fact[1].", "", "[1] Source: https://example.com/paper_2024.pdf"),
    links: [["https://example.com/paper_2024.pdf", "https://example.com/paper_2024.pdf"]],
  },
  {
    name: "bold around a code span",
    markdown: "**Run `make test` before pushing.**",
    text: "Run make test before pushing.",
  },
  {
    name: "spaced asterisks are not emphasis",
    markdown: "Compute a * b * c, then 5 * 3.",
    text: "Compute a * b * c, then 5 * 3.",
  },
  {
    name: "only a link definition: nothing renders, the Markdown is sent",
    markdown: "[x]: https://example.com/x",
    text: "[x]: https://example.com/x",
  },
  {
    name: "a code-heavy answer",
    markdown: lines(
      "## Fixing the `ECONNREFUSED` error",
      "",
      "The client connects before Redis is up. Two fixes:",
      "",
      "1. **Wait for readiness** with `PING`:",
      "",
      `   ${fence}ts`,
      "   await redis.ping(); // throws until the server answers",
      `   ${fence}`,
      "",
      "2. **Retry** with a back-off:",
      "",
      `   ${fence}ts`,
      "   const redis = new Redis({ retryStrategy: (n) => Math.min(n * 50, 2_000) });",
      `   ${fence}`,
      "",
      "> Note: `maxRetriesPerRequest: null` makes commands wait forever.",
      "",
      "See [ioredis options](https://github.com/redis/ioredis#connect-to-redis).",
    ),
    text: lines(
      "Fixing the ECONNREFUSED error",
      "",
      "The client connects before Redis is up. Two fixes:",
      "",
      "1. Wait for readiness with PING:",
      "",
      "await redis.ping(); // throws until the server answers",
      "",
      "2. Retry with a back-off:",
      "",
      "const redis = new Redis({ retryStrategy: (n) => Math.min(n * 50, 2_000) });",
      "",
      "Note: maxRetriesPerRequest: null makes commands wait forever.",
      "",
      "See ioredis options.",
    ),
    links: [["ioredis options", "https://github.com/redis/ioredis#connect-to-redis"]],
  },
  {
    name: "a 6,000-character answer in sections: two messages, cut between sections",
    markdown: sections.map((s) => s.markdown).join("\n\n"),
    // 6,730 characters of Markdown. Each section shows "Step N" (6), a blank line (2), the body
    // (671) and " Result N: see log N." (21): 700 characters. With blank lines between them,
    // five sections make 3,508 characters, six would make 4,210: the cut falls after the fifth
    // (the blank line after a heading is avoided).
    text: [
      sections
        .slice(0, 5)
        .map((s) => s.text)
        .join("\n\n"),
      sections
        .slice(5)
        .map((s) => s.text)
        .join("\n\n"),
    ],
    links: sections.map((s) => s.link),
  },
  {
    name: "a 300-line code block: cut at a line, reopened as code, the introduction kept",
    markdown: lines(
      "Here is the script:",
      "",
      `${fence}python`,
      ...codeLines,
      fence,
      "",
      "That's all.",
    ),
    // The one blank line that fits is at 19, before half the limit: the cut goes at a line
    // break in the code. 19 + 2 + 226 lines of 17 characters and 225 line breaks = 4,088 ≤
    // 4,096; 227 lines would make 4,106.
    text: [
      lines("Here is the script:", "", ...codeLines.slice(0, 226)),
      lines(...codeLines.slice(226), "", "That's all."),
    ],
  },
];
