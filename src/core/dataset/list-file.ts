/**
 * CrystFEL/diffractem list files (data-model.md §6): one file per line, optionally followed by an
 * event (`entry//5`). Parsing only; the host resolves and opens the files.
 */
import type { Table } from "./table.ts";

export interface ListEntry {
  /** File name with backslashes replaced by "/". */
  readonly file: string;
  /** Event id if given on the line (e.g. "entry//5" or "//5"). */
  readonly event?: string;
}

/** Parses list-file text. Blank lines and lines starting with '#' are skipped. `what` names the file in errors. */
export function parseListFile(text: string, what = "list file"): ListEntry[] {
  const out: ListEntry[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) return;
    const parts = line.split(/\s+/);
    if (parts.length > 2) throw new Error(`${what}:${i + 1}: expected 'file [event]', got '${line}'`);
    const file = parts[0]!.replace(/\\/g, "/");
    const event = parts[1];
    if (event !== undefined && !/^[A-Za-z0-9_]*\/\/\d+$/.test(event)) throw new Error(`${what}:${i + 1}: malformed event '${event}' (expected like 'entry//5')`);
    out.push(event === undefined ? { file } : { file, event });
  });
  return out;
}

/** Writes list-file text for file names (unique, in order) or (file, event) pairs. */
export function formatListFile(entries: readonly ListEntry[]): string {
  return entries.map((e) => (e.event ? `${e.file} ${e.event}` : e.file)).join("\n") + (entries.length > 0 ? "\n" : "");
}

/**
 * Sets `selected` = true only for shots listed with an event (matched on file + Event; an event
 * "//k" without subset matches shot_in_subset k of any subset). Files listed without an event keep
 * all their shots selected. `fileOf` maps a list entry's file to the shot table's `file` value.
 */
export function selectionFromList(shots: Table, entries: readonly ListEntry[], fileOf: (entryFile: string) => string): Uint8Array {
  const file = shots.columns.get("file"), ev = shots.columns.get("Event"), sis = shots.columns.get("shot_in_subset");
  if (!file || file.type !== "string" || !ev || ev.type !== "string" || !sis) throw new Error("shot table needs file, Event and shot_in_subset columns");
  const whole = new Set<string>();
  const events = new Set<string>();
  for (const e of entries) {
    const f = fileOf(e.file);
    if (e.event === undefined) whole.add(f);
    else events.add(`${f}\u0000${e.event.startsWith("//") ? `*${e.event}` : e.event}`);
  }
  const out = new Uint8Array(shots.length);
  for (let i = 0; i < shots.length; i++) {
    const f = file.data[i]!;
    if (whole.has(f) || events.has(`${f}\u0000${ev.data[i]}`) || events.has(`${f}\u0000*//${sis.data[i]}`)) out[i] = 1;
  }
  return out;
}
