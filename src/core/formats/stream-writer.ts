/**
 * CrystFEL stream writer (format 2.3) with the exact line formats of CrystFEL's stream.c, so that
 * partialator and the other CrystFEL tools read the output. Chunk `fields` are written in their
 * order; `hit`, `indexed_by` and `num_peaks` are taken from the chunk itself.
 */
import { cellFromReciprocal } from "../geometry/cell.ts";
import type { StreamChunk, StreamCrystal, StreamHeader } from "./stream-types.ts";
import { cExp, cFixed, cInt } from "./c-format.ts";
import { BEGIN_CHUNK, END_CHUNK } from "./stream-reader.ts";

/** Header to write; `trailer` lines come after the geometry and cell blocks (CrystFEL 0.12 puts `Indexing methods selected: …` there). */
export interface StreamHeaderInput extends StreamHeader {
  readonly trailer?: readonly string[];
}

const ensureNl = (s: string): string => (s === "" || s.endsWith("\n") ? s : s + "\n");

/** Stream header text, ending with a newline. */
export function formatStreamHeader(h: StreamHeaderInput): string {
  let s = `CrystFEL stream format ${h.formatVersion}\n`;
  for (const l of h.preamble) s += l + "\n";
  if (h.geometryText !== null) s += "----- Begin geometry file -----\n" + ensureNl(h.geometryText) + "----- End geometry file -----\n";
  if (h.cellText !== null) s += "----- Begin unit cell -----\n" + ensureNl(h.cellText) + "----- End unit cell -----\n";
  for (const l of h.trailer ?? []) s += l + "\n";
  return s;
}

/** Per-chunk beam/detector lines as indexamajig writes them, in its order (to build `fields`). */
export function standardChunkFields(o: {
  readonly hit: boolean;
  readonly indexedBy: string;
  readonly indexingTries?: number;
  readonly wavelengthAngstrom: number;
  readonly cameraLengthM: number;
  /** Highest 1/d of the peaks, nm⁻¹ (0 when there are none). */
  readonly peakResolutionInvNm: number;
  /** Extra `header/...` copies, written after beam_bandwidth. */
  readonly headerCopies?: ReadonlyMap<string, string>;
}): Map<string, string> {
  const m = new Map<string, string>();
  m.set("hit", o.hit ? "1" : "0");
  m.set("indexed_by", o.indexedBy);
  if (o.indexedBy !== "none") m.set("n_indexing_tries", String(o.indexingTries ?? 1));
  // hc = 12398.419843320026 eV·Å (CODATA 2018 exact constants).
  m.set("photon_energy_eV", cFixed(12398.41984332 / o.wavelengthAngstrom, 0, 6));
  m.set("beam_divergence", `${cExp(0, 2)} rad`);
  m.set("beam_bandwidth", `${cExp(1e-8, 2)} (fraction)`);
  for (const [k, v] of o.headerCopies ?? []) m.set(k, v);
  m.set("average_camera_length", `${cFixed(o.cameraLengthM, 0, 6)} m`);
  m.set("num_peaks", "0");
  const r = o.peakResolutionInvNm;
  m.set("peak_resolution", `${cFixed(r, 0, 6)} nm^-1 or ${r > 0 ? cFixed(10 / r, 0, 6) : "inf"} A`);
  return m;
}

/** One chunk's text, from `----- Begin chunk -----` to `----- End chunk -----` plus newline. */
export function formatStreamChunk(c: StreamChunk): string {
  const out: string[] = [BEGIN_CHUNK, `Image filename: ${c.filename}`, `Event: ${c.event}`];
  if (c.serial !== null) out.push(`Image serial number: ${c.serial}`);
  const fields = new Map(c.fields);
  const hitStr = c.hit === null ? null : c.hit ? "1" : "0";
  if (!fields.has("hit") && hitStr !== null) out.push(`hit = ${hitStr}`);
  if (!fields.has("indexed_by")) out.push(`indexed_by = ${c.indexedBy}`);
  for (const [k, v] of fields) {
    if (k === "hit") { if (hitStr !== null) out.push(`hit = ${hitStr}`); continue; }
    if (k === "indexed_by") { out.push(`indexed_by = ${c.indexedBy}`); continue; }
    if (k === "num_peaks") { out.push(`num_peaks = ${c.peaks.count}`); continue; }
    out.push(`${k} = ${v}`);
  }
  if (!fields.has("num_peaks")) out.push(`num_peaks = ${c.peaks.count}`);
  out.push("Peaks from peak search", "  fs/px   ss/px (1/d)/nm^-1   Intensity  Panel");
  const p = c.peaks;
  for (let i = 0; i < p.count; i++) {
    out.push(`${cFixed(p.fs[i]!, 7, 2)} ${cFixed(p.ss[i]!, 7, 2)} ${cFixed(p.invDNm[i]!, 10, 2)}  ${cFixed(p.intensity[i]!, 10, 2)}   ${p.panel[i]!}`);
  }
  out.push("End of peak list");
  for (const cr of c.crystals) formatCrystal(cr, out);
  out.push(END_CHUNK);
  return out.join("\n") + "\n";
}

const LATE_KEYS = new Set(["num_reflections", "num_saturated_reflections", "num_implausible_reflections"]);

function formatCrystal(cr: StreamCrystal, out: string[]): void {
  out.push("--- Begin crystal");
  let cp = cr.cellParamsNmDeg;
  if (cp === null) {
    const c = cellFromReciprocal(cr.basis, cr.lattice, cr.centering, cr.uniqueAxis);
    cp = [c.aA / 10, c.bA / 10, c.cA / 10, c.alphaDeg, c.betaDeg, c.gammaDeg];
  }
  const f5 = (x: number): string => cFixed(x, 0, 5);
  out.push(`Cell parameters ${f5(cp[0])} ${f5(cp[1])} ${f5(cp[2])} nm, ${f5(cp[3])} ${f5(cp[4])} ${f5(cp[5])} deg`);
  const v = (name: string, a: readonly number[]): string => `${name} = ${cFixed(a[0]!, 9, 7, true)} ${cFixed(a[1]!, 9, 7, true)} ${cFixed(a[2]!, 9, 7, true)} nm^-1`;
  out.push(v("astar", cr.basis.astar), v("bstar", cr.basis.bstar), v("cstar", cr.basis.cstar));
  out.push(`lattice_type = ${cr.lattice}`, `centering = ${cr.centering}`, `unique_axis = ${cr.uniqueAxis}`);
  if (cr.profileRadiusInvNm !== null) out.push(`profile_radius = ${cFixed(cr.profileRadiusInvNm, 0, 5)} nm^-1`);
  for (const [k, val] of cr.extra) if (!LATE_KEYS.has(k)) out.push(`${k} = ${val}`);
  out.push(`predict_refine/det_shift x = ${cFixed(cr.detShiftMm[0], 0, 3)} y = ${cFixed(cr.detShiftMm[1], 0, 3)} mm`);
  if (cr.resolutionLimitInvNm !== null) {
    const r = cr.resolutionLimitInvNm;
    out.push(`diffraction_resolution_limit = ${cFixed(r, 0, 2)} nm^-1 or ${r > 0 ? cFixed(10 / r, 0, 2) : "inf"} A`);
  }
  const refl = cr.reflections;
  out.push(`num_reflections = ${refl.count}`);
  out.push(`num_saturated_reflections = ${cr.extra.get("num_saturated_reflections") ?? "0"}`);
  out.push(`num_implausible_reflections = ${cr.extra.get("num_implausible_reflections") ?? "0"}`);
  out.push("Reflections measured after indexing", "   h    k    l          I   sigma(I)       peak background  fs/px  ss/px panel");
  for (let i = 0; i < refl.count; i++) {
    out.push(`${cInt(refl.h[i]!, 4)} ${cInt(refl.k[i]!, 4)} ${cInt(refl.l[i]!, 4)} ${cFixed(refl.intensity[i]!, 10, 2)} ${cFixed(refl.sigma[i]!, 10, 2)} ${cFixed(refl.peak[i]!, 10, 2)} ${cFixed(refl.background[i]!, 10, 2)} ${cFixed(refl.fs[i]!, 6, 1)} ${cFixed(refl.ss[i]!, 6, 1)} ${refl.panel[i]!}`);
  }
  out.push("End of reflections", "--- End crystal");
}
