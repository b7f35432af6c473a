/**
 * Reading CrystFEL's result files into the same structures the built-in engine produces (parsers of
 * src/core/formats): merged .hkl (+ .hkl1/.hkl2 half sets when present), check_hkl and
 * compare_hkl shell files with their terminal output. Streams are read with
 * src/main/stream/stream-index.ts like the built-in engine's streams. Errors name the file.
 */
import { existsSync, readFileSync } from "node:fs";
import { parseHkl } from "../../core/formats/hkl-file.ts";
import type { HklReflections } from "../../core/formats/hkl-file.ts";
import { parseCheckHklOverall, parseCheckHklShells, parseCompareHklOverall, parseCompareHklShells } from "../../core/formats/shell-table.ts";
import type { CheckHklOverall, CheckHklShell, CompareHklOverall, CompareHklShell } from "../../core/formats/shell-table.ts";

function readText(path: string, what: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (e) {
    throw new Error(`cannot read ${what} ${path}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`, { cause: e });
  }
}

export interface MergedHkl {
  readonly reflections: HklReflections;
  /** partialator's two-way split, when the .hkl1/.hkl2 files exist. */
  readonly halfSets?: readonly [HklReflections, HklReflections];
}

export function readMergedHkl(path: string): MergedHkl {
  const reflections = parseHkl(readText(path, "reflection list"), path);
  const h1 = `${path}1`, h2 = `${path}2`;
  if (existsSync(h1) && existsSync(h2)) {
    return { reflections, halfSets: [parseHkl(readText(h1, "half set"), h1), parseHkl(readText(h2, "half set"), h2)] };
  }
  return { reflections };
}

export interface CheckHklResult {
  readonly shells: readonly CheckHklShell[];
  readonly overall?: CheckHklOverall;
}

/** `--shell-file` table, plus the overall numbers from the terminal output when given. */
export function readCheckHkl(shellFile: string, terminalOutput?: string): CheckHklResult {
  const shells = parseCheckHklShells(readText(shellFile, "check_hkl shell file"), shellFile);
  if (!terminalOutput) return { shells };
  return { shells, overall: parseCheckHklOverall(readText(terminalOutput, "check_hkl output"), terminalOutput) };
}

export interface CompareHklResult {
  readonly fom: string;
  readonly shells: readonly CompareHklShell[];
  readonly overall?: CompareHklOverall;
}

export function readCompareHkl(shellFile: string, terminalOutput?: string): CompareHklResult {
  const { fom, shells } = parseCompareHklShells(readText(shellFile, "compare_hkl shell file"), shellFile);
  if (!terminalOutput) return { fom, shells };
  return { fom, shells, overall: parseCompareHklOverall(readText(terminalOutput, "compare_hkl output"), terminalOutput) };
}
