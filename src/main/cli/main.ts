/**
 * `serialed` command-line dispatcher. Each subcommand is a module in ./commands exporting
 * `summary` (one line), `usage` (full help text) and `run(args)`; this file lists them.
 */
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";

export interface CommandModule {
  readonly summary: string;
  readonly usage: string;
  run(args: string[]): Promise<number>;
}

const commandsDir = join(dirname(fileURLToPath(import.meta.url)), "commands");

export function commandNames(): string[] {
  return readdirSync(commandsDir).filter((f) => f.endsWith(".ts") && !f.endsWith(".test.ts")).map((f) => f.slice(0, -3)).sort();
}

/** The `summary` of a command read from its source text, so `serialed --help` does not load every command (and h5wasm). */
function summaryOf(name: string): string {
  const text = readFileSync(join(commandsDir, `${name}.ts`), "utf8");
  const m = /export const summary\s*=\s*(["'`])((?:\\.|(?!\1).)*)\1/s.exec(text);
  return m ? m[2]!.replace(/\\(.)/g, "$1") : "";
}

async function load(name: string): Promise<CommandModule> {
  return (await import(join(commandsDir, `${name}.ts`))) as CommandModule;
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === "--help" || name === "-h" || name === "help") {
    const target = name === "help" ? rest[0] : undefined;
    if (target && commandNames().includes(target)) {
      console.log((await load(target)).usage);
      return 0;
    }
    console.log("serialed — serial electron diffraction from raw frames to merged intensities\n\nUsage: serialed <command> [options]\n\nCommands:");
    for (const n of commandNames()) console.log(`  ${n.padEnd(12)} ${summaryOf(n) || (await load(n)).summary}`);
    console.log("\nRun `serialed <command> --help` for the options of a command.");
    return name ? 0 : 1;
  }
  if (!commandNames().includes(name)) {
    console.error(`serialed: unknown command '${name}'. Run 'serialed --help' for the list.`);
    return 2;
  }
  const mod = await load(name);
  if (rest.includes("--help") || rest.includes("-h")) {
    console.log(mod.usage);
    return 0;
  }
  try {
    return await mod.run(rest);
  } catch (e) {
    console.error(`serialed ${name}: ${e instanceof Error ? e.message : String(e)}`);
    if (process.env["SERIALED_DEBUG"]) console.error(e);
    return 1;
  }
}
