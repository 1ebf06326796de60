import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { startRedisServer } from "@agents-memory/test-servers/redis";
import { Redis } from "ioredis";
import { afterAll, beforeAll, expect, test } from "vitest";

/**
 * What a user gets: core and this package packed as tarballs (`pnpm pack`, from the built
 * dist), installed with npm into an empty project next to the registry's `ioredis` (today's
 * major) and `@openai/agents`, then this README's example run there as ESM and as CJS. The
 * only change to the example is the model: a scripted one instead of a real OpenAI model.
 */
const run = promisify(execFile);
const packageDir = fileURLToPath(new URL("..", import.meta.url));
const coreDir = join(packageDir, "..", "core");

const server = await startRedisServer();
const raw = new Redis(server.url);
let project: string;
let example: string;

beforeAll(async () => {
  project = await mkdtemp(join(tmpdir(), "am-packed-"));
  for (const dir of [coreDir, packageDir]) {
    await run("pnpm", ["pack", "--pack-destination", project], { cwd: dir });
  }
  const tarballs = (await run("ls", [project])).stdout
    .split("\n")
    .filter((name) => name.endsWith(".tgz"))
    .map((name) => `./${name}`);
  expect(tarballs).toHaveLength(2);
  const devDependencies = JSON.parse(await readFile(join(packageDir, "package.json"), "utf8"))
    .devDependencies as Record<string, string>;
  await writeFile(
    join(project, "package.json"),
    JSON.stringify({ name: "am-packed-check", private: true, version: "0.0.0" }),
  );
  await run(
    "npm",
    [
      "install",
      "--no-audit",
      "--no-fund",
      "--loglevel=error",
      ...tarballs,
      "ioredis",
      `@openai/agents@${devDependencies["@openai/agents"]}`,
    ],
    { cwd: project, timeout: 170_000 },
  );
  example = extractExample(await readFile(join(packageDir, "README.md"), "utf8"));
}, 240_000);

afterAll(async () => {
  raw.disconnect();
  await server.stop();
  if (project) await rm(project, { recursive: true, force: true });
});

test.each(["mjs", "cjs"] as const)(
  "the README example runs from the packed tarballs (%s)",
  async (format) => {
    await raw.flushall();
    const file = join(project, `example.${format}`);
    await writeFile(file, format === "mjs" ? toEsm(example) : toCjs(example));
    const { stdout } = await run("node", [file], {
      cwd: project,
      timeout: 60_000,
      env: {
        PATH: process.env.PATH,
        REDIS_URL: server.url,
        OPENAI_AGENTS_DISABLE_TRACING: "1",
      },
    });
    // The scripted model answers with what it was given, so memory shows in the output.
    expect(stdout).toContain(
      "StoreSession: seen: My name is Ann. | seen: My name is Ann. | What is my name?",
    );
    expect(stdout).toContain(
      "ReplySession: seen: Hi, I am Bob. / seen: Hi, I am Bob. | seen: Hi, I am Bob. | Who am I?",
    );
    expect(await raw.type("user:42")).toBe("list");
    expect(await raw.llen("user:42")).toBe(4);
    expect(await raw.llen("bot:501:-1001234567890")).toBe(2);
    expect(await raw.llen("bot:502:-1001234567890")).toBe(4);
    const ttl = await raw.ttl("bot:502:-1001234567890");
    expect(ttl).toBeGreaterThan(0);
    // The installed ioredis is whatever npm resolves today; say which one was proven.
    const installed = JSON.parse(
      await readFile(join(project, "node_modules", "ioredis", "package.json"), "utf8"),
    ).version;
    expect(installed).toMatch(/^[56]\./);
  },
  90_000,
);

/** The first ```js block after the `packed-test: example` marker in the README. */
function extractExample(readme: string): string {
  const marker = readme.indexOf("<!-- packed-test: example -->");
  expect(marker).toBeGreaterThan(-1);
  const match = /```js\n([\s\S]*?)```/.exec(readme.slice(marker));
  expect(match).not.toBeNull();
  const code = match![1]!;
  expect(code.match(/model: "[^"]+"/g)).toHaveLength(1);
  return code.replace(/model: "[^"]+"/, "model: scriptedModel");
}

/** A `Model` (the SDK's interface) that answers "seen: <the texts it was given>". */
const scriptedModel = `
let turn = 0;
const text = (item) =>
  typeof item.content === "string"
    ? item.content
    : (item.content ?? []).map((part) => part.text ?? "").join("");
const scriptedModel = {
  async getResponse(request) {
    const input =
      typeof request.input === "string" ? [{ role: "user", content: request.input }] : request.input;
    turn++;
    return {
      output: [
        {
          type: "message",
          role: "assistant",
          id: "msg_" + turn,
          status: "completed",
          content: [{ type: "output_text", text: "seen: " + input.map(text).join(" | ") }],
        },
      ],
      usage: new Usage(),
      responseId: "resp_" + turn,
    };
  },
  async *getStreamedResponse() {
    throw new Error("the scripted model does not stream");
  },
};
`;

function toEsm(code: string): string {
  const imports = code.match(/^import .*;$/gm) ?? [];
  const body = code.replace(/^import .*;$\n?/gm, "");
  return `${imports.join("\n")}\nimport { Usage } from "@openai/agents";\n${scriptedModel}\n${body}`;
}

function toCjs(code: string): string {
  const requires = (code.match(/^import .*;$/gm) ?? []).map((line) => {
    const match = /^import \{([^}]+)\} from "([^"]+)";$/.exec(line);
    if (!match) throw new Error(`cannot turn into require: ${line}`);
    return `const {${match[1]}} = require("${match[2]}");`;
  });
  const body = code.replace(/^import .*;$\n?/gm, "");
  return [
    '"use strict";',
    ...requires,
    'const { Usage } = require("@openai/agents");',
    scriptedModel,
    "(async () => {",
    body,
    "})().catch((error) => {",
    "  console.error(error);",
    "  process.exit(1);",
    "});",
  ].join("\n");
}
