// Writes docs/cli.md from the `usage` text of every `serialed` subcommand (the same text `--help` prints).
// Run: node --import tsx scripts/gen-cli-docs.ts   (test/cli-docs.test.ts checks the file is current)
import { writeFileSync, renameSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { commandNames } from "../src/main/cli/main.ts";

export async function cliDocs(): Promise<string> {
  const parts = [
    "# `serialed` command reference",
    "",
    "Generated from each command's `--help` text by `node --import tsx scripts/gen-cli-docs.ts`; `npm test` checks that it is current.",
    "Run any command as `npx serialed <command> …` or `node bin/serialed.mjs <command> …`.",
    "",
  ];
  for (const name of commandNames()) {
    const mod = (await import(`../src/main/cli/commands/${name}.ts`)) as { summary: string; usage: string };
    parts.push(`## ${name}`, "", mod.summary, "", "```text", mod.usage.trimEnd(), "```", "");
  }
  return parts.join("\n");
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const out = join(dirname(fileURLToPath(import.meta.url)), "..", "docs", "cli.md");
  writeFileSync(`${out}.tmp`, await cliDocs());
  renameSync(`${out}.tmp`, out);
  console.log(`wrote ${out}`);
}
