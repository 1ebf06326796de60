import { execFileSync } from "node:child_process";
import { BOT_DIR } from "./bot-process";

/**
 * The e2e tests run the built bot (`node dist/main.js`), as users do. Under turbo
 * (`pnpm test`), `test` depends on `build`, so it is fresh; run directly (`vitest run`), build
 * it and its workspace dependencies here.
 */
export default function setup() {
  if (process.env.TURBO_HASH) return;
  execFileSync(
    "pnpm",
    [
      "exec",
      "turbo",
      "run",
      "build",
      "--filter=@agents-memory/bot...",
      "--output-logs=errors-only",
    ],
    { cwd: BOT_DIR, stdio: "inherit" },
  );
}
