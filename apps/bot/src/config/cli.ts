import { ConfigError } from "./config-error";

export interface CliFlags {
  console: boolean;
  demo: boolean;
  help: boolean;
}

export const USAGE = `agents-memory bot — a Telegram agent bot with reply-scoped memory

Usage: node apps/bot/dist/main.js [--console] [--demo] [--help]
   or, from the repository root: pnpm start [-- --console --demo --help]

  With BOT_TOKEN set it runs on Telegram; without it (or with --console) in this terminal.
  --demo selects the offline demo model (same as OPENAI_MODEL=demo).
  --help prints this text.

Configuration comes from the environment and a .env file; see apps/bot/README.md.`;

/**
 * The command-line flags. A bare `--` is skipped: `pnpm start -- --help` passes it through to
 * the script. Throws {@link ConfigError} naming every unknown argument.
 */
export function parseArgs(argv: readonly string[]): CliFlags {
  const flags: CliFlags = { console: false, demo: false, help: false };
  const unknown: string[] = [];
  for (const arg of argv) {
    if (arg === "--") continue;
    if (arg === "--console") flags.console = true;
    else if (arg === "--demo") flags.demo = true;
    else if (arg === "--help" || arg === "-h") flags.help = true;
    else unknown.push(arg);
  }
  if (unknown.length > 0) {
    throw new ConfigError(
      unknown.map(
        (arg) => `unknown argument ${JSON.stringify(arg)} (expected --console, --demo or --help)`,
      ),
    );
  }
  return flags;
}
