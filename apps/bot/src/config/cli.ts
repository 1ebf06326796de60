import { ConfigError } from "./config-error";

export interface CliFlags {
  console: boolean;
  demo: boolean;
  help: boolean;
}

export function parseArgs(argv: readonly string[]): CliFlags {
  const flags: CliFlags = { console: false, demo: false, help: false };
  for (const arg of argv) {
    if (arg === "--console") flags.console = true;
    else if (arg === "--demo") flags.demo = true;
    else if (arg === "--help" || arg === "-h") flags.help = true;
    else
      throw new ConfigError([
        `unknown argument ${JSON.stringify(arg)} (expected --console, --demo or --help)`,
      ]);
  }
  return flags;
}
