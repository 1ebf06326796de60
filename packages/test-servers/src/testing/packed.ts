import { execFile } from "node:child_process";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { expect } from "vitest";

/**
 * What a user gets from a published package: the package (and the workspace packages it
 * depends on) packed as tarballs (`pnpm pack`, from the built dist), installed with npm into an
 * empty project next to registry dependencies and `@openai/agents` (at the version the package
 * is developed against), then the package README's example run there as ESM and as CJS. The only
 * change to the example is the model: a scripted one that answers "seen: <the texts it was
 * given>" instead of a real OpenAI model.
 *
 * The README marks its example with `<!-- packed-test: example -->` before a ```js block that
 * names exactly one `model: "..."`.
 */

const run = promisify(execFile);
const INSTALL_TIMEOUT_MS = 170_000;

export interface PackedProjectOptions {
  /** The package under test: it is packed, and its README holds the example. */
  packageDir: string;
  /** Workspace packages it depends on, packed and installed beside it (e.g. core). */
  alsoPack?: string[];
  /** Registry packages installed beside the tarballs, as npm names them ("ioredis"). */
  dependencies: string[];
}

export interface PackedProject {
  /** The project's folder (a fresh temporary one). */
  dir: string;
  /**
   * Writes the README example as `example.mjs` or `example.cjs` and runs it with node, with
   * only PATH and `env` in its environment; rejects if it exits non-zero or runs past 60 s.
   */
  runExample(
    format: "mjs" | "cjs",
    env: Record<string, string>,
  ): Promise<{ stdout: string; stderr: string }>;
  /** The version npm installed of a package, e.g. "5.9.2". */
  installedVersion(name: string): Promise<string>;
  /** Deletes the project folder. */
  remove(): Promise<void>;
}

/** Packs, installs and reads the example (see the module doc); takes a minute or two. */
export async function packedProject(options: PackedProjectOptions): Promise<PackedProject> {
  const { packageDir } = options;
  const dir = await mkdtemp(join(tmpdir(), "am-packed-"));
  const packed = [...(options.alsoPack ?? []), packageDir];
  for (const packDir of packed) {
    await run("pnpm", ["pack", "--pack-destination", dir], { cwd: packDir });
  }
  const tarballs = (await readdir(dir))
    .filter((name) => name.endsWith(".tgz"))
    .map((name) => `./${name}`);
  if (tarballs.length !== packed.length) {
    throw new Error(
      `expected ${packed.length} tarballs from pnpm pack, found ${tarballs.length}: ${tarballs.join(", ")}`,
    );
  }
  const manifest = JSON.parse(await readFile(join(packageDir, "package.json"), "utf8"));
  const agentsVersion = (manifest.devDependencies as Record<string, string> | undefined)?.[
    "@openai/agents"
  ];
  if (!agentsVersion) {
    throw new Error(`${packageDir}/package.json has no @openai/agents devDependency`);
  }
  await writeFile(
    join(dir, "package.json"),
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
      ...options.dependencies,
      `@openai/agents@${agentsVersion}`,
    ],
    { cwd: dir, timeout: INSTALL_TIMEOUT_MS },
  ).catch((error: Error & { killed?: boolean }) => {
    // npm retries a registry it cannot reach without a word at --loglevel=error: say so.
    if (error.killed) {
      throw new Error(
        `npm install did not finish within ${INSTALL_TIMEOUT_MS / 1000} s (its debug log in ~/.npm/_logs says why, e.g. SELF_SIGNED_CERT_IN_CHAIN when NODE_EXTRA_CA_CERTS lacks the machine's proxy CA)`,
        { cause: error },
      );
    }
    throw error;
  });
  const example = extractExample(await readFile(join(packageDir, "README.md"), "utf8"));

  return {
    dir,
    async runExample(format, env) {
      const file = join(dir, `example.${format}`);
      await writeFile(file, format === "mjs" ? toEsm(example) : toCjs(example));
      return await run("node", [file], {
        cwd: dir,
        timeout: 60_000,
        env: { PATH: process.env.PATH, ...env },
      });
    },
    async installedVersion(name) {
      const file = join(dir, "node_modules", ...name.split("/"), "package.json");
      return JSON.parse(await readFile(file, "utf8")).version;
    },
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}

/** What reads the keys the example wrote, straight from Redis (an independent client). */
export interface RawRedisReader {
  type(key: string): Promise<string>;
  llen(key: string): Promise<number>;
  ttl(key: string): Promise<number>;
}

/**
 * Asserts what every adapter's README example does, from its output and from Redis: a
 * StoreSession conversation under "user:42" and a ReplySession fork under "bot:501:…" and
 * "bot:502:…", remembered as the scripted model shows.
 */
export async function expectExampleOutcome(stdout: string, raw: RawRedisReader): Promise<void> {
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
  // The chained layout: a link to bot:501 and this turn's two items.
  expect(await raw.llen("bot:502:-1001234567890")).toBe(3);
  const ttl = await raw.ttl("bot:502:-1001234567890");
  expect(ttl).toBeGreaterThan(0);
}

/** The first ```js block after the `packed-test: example` marker in the README. */
function extractExample(readme: string): string {
  const marker = readme.indexOf("<!-- packed-test: example -->");
  if (marker < 0) throw new Error("README has no <!-- packed-test: example --> marker");
  const match = /```js\n([\s\S]*?)```/.exec(readme.slice(marker));
  if (!match) throw new Error("README has no ```js block after the packed-test marker");
  const code = match[1]!;
  const models = code.match(/model: "[^"]+"/g) ?? [];
  if (models.length !== 1) {
    throw new Error(`the README example names ${models.length} models; the test swaps exactly one`);
  }
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
