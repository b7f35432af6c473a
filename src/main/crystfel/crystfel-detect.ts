/** Finds CrystFEL programs on PATH (or in given folders) and their versions (`<prog> --version`). */
import { accessSync, constants, statSync } from "node:fs";
import { delimiter, join } from "node:path";
import { execa } from "execa";

export const CRYSTFEL_PROGRAMS = ["indexamajig", "partialator", "check_hkl", "compare_hkl", "ambigator", "list_events", "process_hkl", "get_hkl"] as const;
export type CrystfelProgram = (typeof CRYSTFEL_PROGRAMS)[number];

export interface CrystfelProgramInfo {
  readonly name: CrystfelProgram;
  /** Absolute path, or undefined when not found. */
  readonly path?: string;
  /** Version from `--version`, e.g. "0.12.0". */
  readonly version?: string;
  /** Why it is unusable, when found but not working. */
  readonly problem?: string;
}

export interface CrystfelInstall {
  readonly programs: Readonly<Record<CrystfelProgram, CrystfelProgramInfo>>;
  /** Version of indexamajig (or of any program found). */
  readonly version?: string;
  /** True when indexamajig and partialator both work. */
  readonly usable: boolean;
}

/** First executable `name` in the folders (default: $PATH). */
export function findExecutable(name: string, dirs: readonly string[] = (process.env["PATH"] ?? "").split(delimiter)): string | undefined {
  for (const d of dirs) {
    if (!d) continue;
    const p = join(d, name);
    try {
      if (!statSync(p).isFile()) continue;
      accessSync(p, constants.X_OK);
      return p;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** "CrystFEL: 0.12.0" (0.9+) or "indexamajig 0.8.0" / "... version 0.8.0" → the version. */
export function parseCrystfelVersion(text: string): string | undefined {
  const m = /CrystFEL:?\s+(?:version\s+)?(\d+\.\d+(?:\.\d+)?(?:[-+][\w.]+)?)/i.exec(text) ?? /\b(\d+\.\d+\.\d+(?:[-+][\w.]+)?)\b/.exec(text);
  return m?.[1];
}

export async function detectCrystfel(dirs?: readonly string[]): Promise<CrystfelInstall> {
  const programs = {} as Record<CrystfelProgram, CrystfelProgramInfo>;
  await Promise.all(CRYSTFEL_PROGRAMS.map(async (name) => {
    const path = findExecutable(name, dirs);
    if (!path) { programs[name] = { name }; return; }
    try {
      const r = await execa(path, ["--version"], { reject: false, timeout: 10_000, all: true });
      const version = parseCrystfelVersion(r.all ?? "");
      programs[name] = version ? { name, path, version } : { name, path, problem: `--version said: ${(r.all ?? "").trim().slice(0, 200) || `exit ${r.exitCode}`}` };
    } catch (e) {
      programs[name] = { name, path, problem: e instanceof Error ? e.message.split("\n")[0]! : String(e) };
    }
  }));
  const version = programs.indexamajig.version ?? Object.values(programs).find((p) => p.version)?.version;
  return { programs, ...(version ? { version } : {}), usable: Boolean(programs.indexamajig.version && programs.partialator.version) };
}

/** Human-readable report for `serialed crystfel detect` and the wizard. */
export function describeInstall(inst: CrystfelInstall): string {
  const lines = [inst.usable ? `CrystFEL ${inst.version ?? "?"} found.` : "CrystFEL not usable: indexamajig and partialator are needed (install CrystFEL and put its programs on PATH). The built-in engine works without it."];
  for (const p of Object.values(inst.programs)) {
    lines.push(`  ${p.name.padEnd(12)} ${p.path ? `${p.path}  ${p.version ? `version ${p.version}` : `NOT WORKING: ${p.problem ?? "?"}`}` : "not found"}`);
  }
  return lines.join("\n");
}
