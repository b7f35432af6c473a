// docs/cli.md documents every subcommand with exactly the text its --help prints.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { cliDocs } from "../scripts/gen-cli-docs.ts";
import { commandNames, main } from "../src/main/cli/main.ts";

test("docs/cli.md is current (regenerate with: node --import tsx scripts/gen-cli-docs.ts)", async () => {
  const onDisk = readFileSync("docs/cli.md", "utf8");
  assert.equal(onDisk, await cliDocs());
  for (const n of commandNames()) assert.ok(onDisk.includes(`## ${n}\n`), `section for ${n}`);
});

test("every command has a summary and a usage text that starts with its name", async () => {
  for (const n of commandNames()) {
    const mod = (await import(`../src/main/cli/commands/${n}.ts`)) as { summary: string; usage: string };
    assert.ok(mod.summary.length > 10, `${n}: summary`);
    assert.match(mod.usage, new RegExp(`serialed ${n}\\b`), `${n}: usage names the command`);
  }
});

test("unknown commands fail with a clear message and exit code 2", async () => {
  const errs: string[] = [];
  const orig = console.error;
  console.error = (...a: unknown[]) => { errs.push(a.join(" ")); };
  try {
    assert.equal(await main(["no-such-command"]), 2);
  } finally {
    console.error = orig;
  }
  assert.match(errs.join("\n"), /unknown command 'no-such-command'/);
});
