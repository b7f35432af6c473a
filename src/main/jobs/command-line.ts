/** Turning a JobSpec's argv into a real command, and shell quoting for scripts and resume hints. */
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** Repository root (the folder holding bin/serialed.mjs). */
export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
export const SERIALED_BIN = join(REPO_ROOT, "bin", "serialed.mjs");

/** ["serialed", ...] → [node, <repo>/bin/serialed.mjs, ...]; anything else unchanged. */
export function resolveArgv(argv: readonly string[], nodePath = process.execPath): string[] {
  if (argv[0] === "serialed") return [nodePath, SERIALED_BIN, ...argv.slice(1)];
  return [...argv];
}

export function shellQuote(s: string): string {
  return /^[A-Za-z0-9_./:=,+@%-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

export function shellJoin(argv: readonly string[]): string {
  return argv.map(shellQuote).join(" ");
}

/** Shot range [first, last] (inclusive) of task k of n over `items` items; empty when first > last. */
export function taskRange(items: number, tasks: number, k: number): { first: number; last: number } {
  const first = Math.floor((k * items) / tasks);
  const last = Math.floor(((k + 1) * items) / tasks) - 1;
  return { first, last };
}

/** Replaces {first} {last} {count} {part} in every argument; an argument "{inputs}" becomes inputs[first..last]. */
export function fillPlaceholders(argv: readonly string[], v: { first: number; last: number; part: string; inputs?: readonly string[] }): string[] {
  return argv.flatMap((a) => (a === "{inputs}" ? (v.inputs ?? []).slice(v.first, v.last + 1) : [a])).map((a) => a.replaceAll("{first}", String(v.first)).replaceAll("{last}", String(v.last)).replaceAll("{count}", String(v.last - v.first + 1)).replaceAll("{part}", v.part));
}

/** `--import` value that loads tsx from this repository whatever the working directory (for .ts children). */
export const TSX_IMPORT = import.meta.resolve("tsx");

/** [node, --import, tsx, file.ts]: runs a TypeScript file in a child process from any cwd. */
export function tsNodeArgv(file: string): string[] {
  return [process.execPath, "--import", TSX_IMPORT, file];
}
