import type { Options } from "tsup";

/** The one build config every publishable package spreads into its own tsup.config.ts. */
export const baseTsupConfig: Options = {
  format: ["esm", "cjs"],
  dts: true,
  sourcemap: true,
  clean: true,
  target: "node20",
  platform: "node",
  splitting: false,
  treeshake: true,
};
