import { defineConfig } from "tsup";

// The bot is an application: one ESM entry users run as `node dist/main.js`. Dependencies
// stay in node_modules (tsup externalizes everything in package.json's dependencies).
export default defineConfig({
  entry: { main: "src/main.ts" },
  format: ["esm"],
  target: "node20",
  platform: "node",
  sourcemap: true,
  clean: true,
  dts: false,
  splitting: false,
  banner: { js: "#!/usr/bin/env node" },
});
