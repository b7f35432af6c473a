/** Expands the paths a user opened: globs (in the file-name part), .lst files, absolute resolution. */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { basename, dirname, isAbsolute, join, resolve } from "node:path";

export function expandGlob(pattern: string): string[] {
  if (!/[*?[]/.test(basename(pattern))) return [resolve(pattern)];
  const dir = resolve(dirname(pattern));
  const re = new RegExp(`^${basename(pattern).replace(/[.+^${}()|\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".")}$`);
  if (!existsSync(dir)) throw new Error(`${pattern}: folder ${dir} does not exist`);
  const out = readdirSync(dir).filter((n) => re.test(n)).sort().map((n) => join(dir, n));
  if (out.length === 0) throw new Error(`${pattern}: no files match`);
  return out;
}

/** Image files listed in a .lst (one per line, optional event after the name; '#'/';' comments), resolved against the list's folder. */
export function readListFile(path: string): string[] {
  let text: string;
  try { text = readFileSync(path, "utf8"); } catch (e) { throw new Error(`${path}: cannot read list file (${e instanceof Error ? e.message : String(e)})`, { cause: e }); }
  const files: string[] = [];
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (!line || line.startsWith("#") || line.startsWith(";")) continue;
    const name = line.split(/\s+(?=\/\/|\S*\/\/\d)/)[0]!.trim();
    const abs = isAbsolute(name) ? name : join(dirname(path), name);
    if (!files.includes(abs)) files.push(abs);
  }
  if (files.length === 0) throw new Error(`${path}: list file names no image files`);
  return files;
}

export function assertReadableFile(path: string): void {
  let st;
  try { st = statSync(path); } catch { throw new Error(`${path}: file not found`); }
  if (!st.isFile()) throw new Error(`${path}: not a file`);
}
