import { defineConfig } from "tsup";
import { baseTsupConfig } from "../../tsup.base";

export default defineConfig({
  ...baseTsupConfig,
  entry: {
    index: "src/index.ts",
    "store/index": "src/store/index.ts",
    "redis/index": "src/redis/index.ts",
    "testing/index": "src/testing/index.ts",
  },
  // The conformance suite receives vitest's `test`/`expect` from the caller; never bundle them.
  external: ["vitest", "@openai/agents", "@openai/agents-core"],
});
