/** Navigation actions shared by keyboard, buttons and play mode (pure over the shot data + store). */
import type { AppStore } from "./state/store.ts";
import { crystalShots, getShotData, numberAt, visibleRows } from "./state/shot-data.ts";

function rowsOf(store: AppStore): Int32Array {
  const s = store.getState();
  return visibleRows(getShotData(), s.mask, s.hitsOnly, s.sort);
}

/** Next/previous shot in table order (wraps at the ends only in play mode). */
export function stepShot(store: AppStore, delta: number, wrap = false): void {
  const rows = rowsOf(store);
  if (rows.length === 0) return;
  const s = store.getState();
  const pos = rows.indexOf(s.shotIndex);
  let next = pos < 0 ? 0 : pos + delta;
  if (wrap) next = ((next % rows.length) + rows.length) % rows.length;
  next = Math.max(0, Math.min(rows.length - 1, next));
  s.setShot(rows[next]!);
}

/** First shot of the next/previous crystal (in table order). */
export function stepCrystal(store: AppStore, delta: 1 | -1): void {
  const d = getShotData();
  const rows = rowsOf(store);
  const s = store.getState();
  const cur = numberAt(d, "crystal_id", s.shotIndex);
  let pos = rows.indexOf(s.shotIndex);
  if (pos < 0) pos = 0;
  for (let p = pos + delta; p >= 0 && p < rows.length; p += delta) {
    const id = numberAt(d, "crystal_id", rows[p]!);
    if (id >= 0 && id !== cur) { s.setShot(crystalShots(d, rows[p]!)[0] ?? rows[p]!); return; }
  }
}

export function crystalEnd(store: AppStore, which: "first" | "last"): void {
  const s = store.getState();
  const shots = crystalShots(getShotData(), s.shotIndex);
  const t = which === "first" ? shots[0] : shots[shots.length - 1];
  if (t !== undefined) s.setShot(t);
}

/** Jumps to a shot number or an Event id (e.g. `entry//17`, `//17`). Returns an error message or null. */
export function jumpTo(store: AppStore, text: string): string | null {
  const d = getShotData();
  const t = text.trim();
  if (/^\d+$/.test(t)) {
    const i = Number(t);
    if (i >= d.nShots) return `shot ${i} does not exist (0…${d.nShots - 1})`;
    store.getState().setShot(i);
    return null;
  }
  const ev = d.columns["Event"];
  if (ev?.type === "string") {
    const norm = (e: string): string => e.replace(/^.*\/\//, "//");
    const i = ev.data.findIndex((e) => e === t || norm(e) === norm(t));
    if (i >= 0) { store.getState().setShot(i); return null; }
  }
  return `no shot with number or Event '${t}'`;
}

/** One play step: through the table, or through the current crystal's frames (looping). */
export function playStep(store: AppStore): void {
  const s = store.getState();
  if (s.playMode === "crystal") {
    const shots = crystalShots(getShotData(), s.shotIndex);
    const k = shots.indexOf(s.shotIndex);
    s.setShot(shots[(k + 1) % shots.length]!);
  } else stepShot(store, 1, true);
}
