/** Recently opened projects, newest first, in <config>/recent-projects.json (SERIALED_CONFIG_DIR or ~/.config/serialed). */
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join, resolve } from "node:path";
import { writeFileAtomic } from "./atomic-write.ts";

const MAX_RECENT = 12;

export function configDir(): string {
  return process.env["SERIALED_CONFIG_DIR"] ?? join(homedir(), ".config", "serialed");
}

export function recentProjects(): string[] {
  const f = join(configDir(), "recent-projects.json");
  if (!existsSync(f)) return [];
  try {
    const v = JSON.parse(readFileSync(f, "utf8")) as unknown;
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : [];
  } catch {
    return []; // a damaged list is not worth an error: start a new one
  }
}

export function addRecentProject(path: string): string[] {
  const p = resolve(path);
  const list = [p, ...recentProjects().filter((x) => x !== p)].slice(0, MAX_RECENT);
  mkdirSync(configDir(), { recursive: true });
  writeFileAtomic(join(configDir(), "recent-projects.json"), JSON.stringify(list, null, 2));
  return list;
}
