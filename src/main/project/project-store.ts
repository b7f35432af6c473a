/**
 * Project folders on disk:
 *   <dir>/project.yaml       the project (write-temp-then-rename)
 *   <dir>/project.yaml.bak   the previous good copy, refreshed on every save
 *   <dir>/runs/<step>-<n>/   outputs of each run
 *   <dir>/jobs/<id>/         job records and logs (src/main/jobs)
 * A corrupt project.yaml gives a ProjectFileError naming the problem and the last good copy.
 */
import { existsSync, mkdirSync, readFileSync, statSync } from "node:fs";
import { basename, dirname, isAbsolute, join, resolve } from "node:path";
import { emptyProject, nextRunNumber } from "../../core/project/project-model.ts";
import type { Project, StepName } from "../../core/project/project-model.ts";
import { parseProjectYaml, serializeProjectYaml } from "../../core/project/project-yaml.ts";
import { writeFileAtomic } from "./atomic-write.ts";

export const PROJECT_FILE = "project.yaml";

/** The project file could not be read; `backupPath` is the last good copy if one exists and parses. */
export class ProjectFileError extends Error {
  constructor(readonly path: string, problem: string, readonly backupPath: string | undefined) {
    super(`${path}: ${problem}${backupPath ? `. The last good copy is ${backupPath} (copy it over ${basename(path)} to restore it)` : ". No backup copy found"}`);
    this.name = "ProjectFileError";
  }
}

export interface OpenProject {
  /** Absolute path of project.yaml. */
  readonly path: string;
  /** Absolute project folder. */
  readonly dir: string;
  readonly project: Project;
}

/** Accepts a project folder or the path of its project.yaml. */
export function projectFilePath(dirOrFile: string): string {
  const p = resolve(dirOrFile);
  return existsSync(p) && statSync(p).isDirectory() ? join(p, PROJECT_FILE) : p;
}

export function createProject(dir: string, name: string, inputs: readonly string[] = []): OpenProject {
  const d = resolve(dir);
  mkdirSync(d, { recursive: true });
  const path = join(d, PROJECT_FILE);
  if (existsSync(path)) throw new Error(`${path} already exists; open it instead of creating a new project`);
  const project = emptyProject(name, inputs);
  saveProject(path, project);
  return { path, dir: d, project };
}

function parseFile(path: string): Project {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    throw new Error(`cannot read project file ${path}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`, { cause: e });
  }
  if (text.trim() === "") throw new Error("the file is empty");
  return parseProjectYaml(text, path);
}

export function loadProject(dirOrFile: string): OpenProject {
  const path = projectFilePath(dirOrFile);
  if (!existsSync(path)) throw new Error(`no project file at ${path}`);
  try {
    return { path, dir: dirname(path), project: parseFile(path) };
  } catch (e) {
    const bak = `${path}.bak`;
    let good: string | undefined;
    if (existsSync(bak)) {
      try { parseFile(bak); good = bak; } catch { good = undefined; }
    }
    const msg = e instanceof Error ? e.message.replace(`${path}: `, "") : String(e);
    throw new ProjectFileError(path, `corrupt project file (${msg})`, good);
  }
}

/**
 * Saves atomically. Before replacing, the current file is copied to project.yaml.bak if it is
 * still valid, so the backup is always the last good version.
 */
export function saveProject(path: string, project: Project): void {
  const text = serializeProjectYaml(project);
  parseProjectYaml(text, path); // never write something we cannot read back
  if (existsSync(path)) {
    let current: string | undefined;
    try {
      current = readFileSync(path, "utf8");
      parseProjectYaml(current, path);
    } catch {
      current = undefined; // current file corrupt: keep the older .bak as the last good copy
    }
    if (current !== undefined) writeFileAtomic(`${path}.bak`, current);
  }
  writeFileAtomic(path, text);
}

/**
 * Read-modify-write of the project file (re-reads so concurrent writers in the same process
 * sequence correctly). Returns the saved project.
 */
export function updateProject(path: string, fn: (p: Project) => Project): Project {
  const cur = loadProject(path).project;
  const next = fn(cur);
  saveProject(path, next);
  return next;
}

/** Creates runs/<step>-<n>/ with the next free number; returns its id and absolute folder. */
export function allocateRunDir(projectDir: string, project: Project, step: StepName): { id: string; n: number; dir: string } {
  let n = nextRunNumber(project, step);
  for (;;) {
    const id = `${step}-${n}`;
    const dir = join(projectDir, "runs", id);
    if (!existsSync(dir)) {
      mkdirSync(dir, { recursive: true });
      return { id, n, dir };
    }
    n++;
  }
}

/** Resolves a project-relative input path. */
export function resolveInProject(projectDir: string, p: string): string {
  return isAbsolute(p) ? p : join(projectDir, p);
}
