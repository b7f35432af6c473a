/**
 * Expands user file specifications (data-model.md §6): a single .h5/.nxs file, a `.lst` list file
 * (optionally with events), or a glob pattern (sorted). Relative list entries are resolved against the
 * working directory first, then against the list file's folder (CrystFEL resolves against the cwd).
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, isAbsolute, join } from "node:path";
import type { ListEntry } from "../../core/dataset/list-file.ts";
import { parseListFile } from "../../core/dataset/list-file.ts";

export interface ExpandedSpecs {
  /** Files to open, in order, unique. */
  readonly files: string[];
  /** Entries of list files that carry events (file names already resolved like `files`). */
  readonly events: ListEntry[];
  /** True if any list file line carried an event (then only listed events are selected). */
  readonly hasEvents: boolean;
}

const GLOB_CHARS = /[*?[]/;

function globToRegExp(seg: string): RegExp {
  let re = "";
  for (let i = 0; i < seg.length; i++) {
    const c = seg[i]!;
    if (c === "*") re += "[^/]*";
    else if (c === "?") re += "[^/]";
    else if (c === "[") {
      const end = seg.indexOf("]", i + 1);
      if (end < 0) { re += "\\["; continue; }
      let body = seg.slice(i + 1, end);
      if (body.startsWith("!")) body = `^${body.slice(1)}`;
      re += `[${body.replace(/\\/g, "\\\\")}]`;
      i = end;
    } else re += c.replace(/[.+^${}()|\\]/g, "\\$&");
  }
  return new RegExp(`^${re}$`);
}

/** Expands a glob pattern (`*`, `?`, `[...]` in any path segment; no `**`), sorted. */
export function expandGlob(pattern: string): string[] {
  const norm = pattern.replace(/\\/g, "/");
  if (!GLOB_CHARS.test(norm)) return existsSync(norm) ? [norm] : [];
  const abs = norm.startsWith("/");
  const segs = norm.split("/").filter((s, i) => s !== "" || i === 0);
  let bases: string[] = [abs ? "/" : ""];
  for (const seg of abs ? segs.slice(1) : segs) {
    const next: string[] = [];
    for (const b of bases) {
      const dir = b === "" ? "." : b;
      if (!GLOB_CHARS.test(seg)) {
        const p = b === "" ? seg : b.endsWith("/") ? `${b}${seg}` : `${b}/${seg}`;
        if (existsSync(p)) next.push(p);
        continue;
      }
      let names: string[];
      try { names = readdirSync(dir); } catch { continue; }
      const re = globToRegExp(seg);
      for (const n of names.sort()) {
        if (n.startsWith(".") && !seg.startsWith(".")) continue;
        if (re.test(n)) next.push(b === "" ? n : b.endsWith("/") ? `${b}${n}` : `${b}/${n}`);
      }
    }
    bases = next;
  }
  return bases.sort();
}

function resolveListEntry(entry: string, listPath: string): string {
  if (isAbsolute(entry) || existsSync(entry)) return entry;
  const rel = join(dirname(listPath), entry);
  return existsSync(rel) ? rel : entry;
}

/** Expands specs into files (in order, duplicates are an error) and list-file events. */
export function expandFileSpecs(specs: readonly string[]): ExpandedSpecs {
  if (specs.length === 0) throw new Error("no input files given");
  const files: string[] = [];
  const events: ListEntry[] = [];
  let hasEvents = false;
  const add = (f: string, origin: string): void => {
    if (files.includes(f)) throw new Error(`${f} is given twice (${origin}); file names must be unique`);
    files.push(f);
  };
  const concrete: { spec: string; origin: string }[] = [];
  for (const raw of specs) {
    const spec = raw.replace(/\\/g, "/");
    if (GLOB_CHARS.test(spec) && !existsSync(spec)) {
      const found = expandGlob(spec).filter((f) => { try { return statSync(f).isFile(); } catch { return false; } });
      if (found.length === 0) throw new Error(`${spec}: no files match`);
      for (const f of found) concrete.push({ spec: f, origin: spec });
    } else concrete.push({ spec, origin: "command line" });
  }
  for (const { spec, origin } of concrete) {
    if (spec.toLowerCase().endsWith(".lst")) {
      if (!existsSync(spec)) throw new Error(`${spec}: list file not found`);
      const entries = parseListFile(readFileSync(spec, "utf8"), spec);
      if (entries.length === 0) throw new Error(`${spec}: list file is empty`);
      const seen = new Set<string>();
      for (const e of entries) {
        const f = resolveListEntry(e.file, spec);
        if (e.event !== undefined) { hasEvents = true; events.push({ file: f, event: e.event }); }
        if (!seen.has(f)) { seen.add(f); add(f, spec); }
      }
    } else {
      add(spec, origin);
    }
  }
  return { files, events, hasEvents };
}
