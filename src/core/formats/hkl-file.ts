/**
 * CrystFEL merged reflection list (.hkl, .hkl1, .hkl2): read versions 2.0 and 1.0, write 2.0
 * byte-for-byte like `reflist-utils.c` (row format `%4i %4i %4i %10.2f %s %10.2f %7i`, phase
 * `%8.2f` degrees or `       -`). Lines after `End of reflections` (audit notes) are kept.
 */
import { cFixed, cInt } from "./c-format.ts";
import { lineError, needInt, needNumber, splitLines, tokens } from "./text-lines.ts";

/** A reflection list, columnar (one row per unique reflection). Intensities in detector units. */
export interface HklReflections {
  readonly h: Int32Array;
  readonly k: Int32Array;
  readonly l: Int32Array;
  readonly intensity: Float64Array;
  readonly sigma: Float64Array;
  /** Number of measurements merged ("nmeas", "counts" in version 1.0). */
  readonly nmeas: Int32Array;
  /** Phase in degrees, NaN where the file has `-`; null when no row has a phase. */
  readonly phaseDeg: Float64Array | null;
  /** Point group from the `Symmetry:` line, null when absent. */
  readonly symmetry: string | null;
  /** Lines after `End of reflections`, verbatim (the last is "" when the file ends with a blank line). */
  readonly notes: readonly string[];
  readonly count: number;
}

/** Input of the writer: the columns may be any numeric arrays; missing nmeas/phase allowed. */
export interface HklWriteInput {
  readonly h: ArrayLike<number>;
  readonly k: ArrayLike<number>;
  readonly l: ArrayLike<number>;
  readonly intensity: ArrayLike<number>;
  readonly sigma: ArrayLike<number>;
  readonly nmeas?: ArrayLike<number> | null;
  readonly phaseDeg?: ArrayLike<number> | null;
  readonly symmetry?: string | null;
  readonly notes?: readonly string[];
}

const V2 = "CrystFEL reflection list version 2.0";
const V2_HEADER = "   h    k    l          I    phase   sigma(I)   nmeas";
const END = "End of reflections";

/** Parses a .hkl file. `source` (file name) is used in error messages. */
export function parseHkl(text: string, source = "reflection list"): HklReflections {
  const lines = splitLines(text);
  let i = 0;
  while (i < lines.length && lines[i]!.trim() === "") i++;
  let version = 2;
  const first = lines[i]?.trim() ?? "";
  if (first.startsWith("CrystFEL reflection list version")) {
    const v = first.slice("CrystFEL reflection list version".length).trim();
    if (v.startsWith("1.")) version = 1;
    else if (!v.startsWith("2.")) throw lineError(source, i + 1, `unsupported reflection list version '${v}'`);
    i++;
  } else if (/^h\s+k\s+l\s/.test(first)) {
    version = 1;
  } else {
    throw lineError(source, i + 1, `not a CrystFEL reflection list (first line '${first.slice(0, 60)}')`);
  }
  let symmetry: string | null = null;
  let headerSeen = false;
  for (; i < lines.length; i++) {
    const t = lines[i]!.trim();
    if (t === "") continue;
    if (t.startsWith("Symmetry:")) { symmetry = t.slice(9).trim(); continue; }
    if (/^h\s+k\s+l\b/.test(t)) { headerSeen = true; i++; break; }
    break;
  }
  if (!headerSeen) throw lineError(source, i + 1, "missing column header line ('h k l I phase sigma(I) ...')");
  const h: number[] = [], k: number[] = [], l: number[] = [], I: number[] = [], sig: number[] = [], nm: number[] = [], ph: number[] = [];
  let anyPhase = false;
  let ended = false;
  const minFields = 7;
  for (; i < lines.length; i++) {
    const line = lines[i]!;
    const t = line.trim();
    if (t === END) { ended = true; i++; break; }
    if (t === "") continue;
    const f = tokens(t);
    const n = i + 1;
    if (f.length < minFields) throw lineError(source, n, `reflection row has ${f.length} fields, expected ${minFields}: '${t}'`);
    h.push(needInt(f[0], source, n, "h"));
    k.push(needInt(f[1], source, n, "k"));
    l.push(needInt(f[2], source, n, "l"));
    I.push(needNumber(f[3], source, n, "I"));
    if (f[4] === "-") ph.push(NaN);
    else { ph.push(needNumber(f[4], source, n, "phase")); anyPhase = true; }
    sig.push(needNumber(f[5], source, n, "sigma(I)"));
    nm.push(needInt(f[6], source, n, version === 1 ? "counts" : "nmeas"));
  }
  if (!ended && version === 2) throw lineError(source, lines.length, `missing '${END}' (file truncated?)`);
  const notes = ended ? lines.slice(i) : [];
  return {
    h: Int32Array.from(h), k: Int32Array.from(k), l: Int32Array.from(l),
    intensity: Float64Array.from(I), sigma: Float64Array.from(sig), nmeas: Int32Array.from(nm),
    phaseDeg: anyPhase ? Float64Array.from(ph) : null,
    symmetry, notes, count: h.length,
  };
}

/** Writes a version 2.0 reflection list exactly as CrystFEL does (symmetry defaults to "1"). */
export function formatHkl(r: HklWriteInput): string {
  const n = r.h.length;
  for (const [name, col] of [["k", r.k], ["l", r.l], ["intensity", r.intensity], ["sigma", r.sigma]] as const) {
    if (col.length !== n) throw new Error(`formatHkl: column ${name} has ${col.length} rows, h has ${n}`);
  }
  if (r.nmeas && r.nmeas.length !== n) throw new Error(`formatHkl: column nmeas has ${r.nmeas.length} rows, h has ${n}`);
  if (r.phaseDeg && r.phaseDeg.length !== n) throw new Error(`formatHkl: column phaseDeg has ${r.phaseDeg.length} rows, h has ${n}`);
  const out: string[] = [V2, `Symmetry: ${r.symmetry ?? "1"}`, V2_HEADER];
  for (let i = 0; i < n; i++) {
    const p = r.phaseDeg ? r.phaseDeg[i]! : NaN;
    const phase = Number.isNaN(p) ? "       -" : cFixed(p, 8, 2);
    out.push(`${cInt(r.h[i]!, 4)} ${cInt(r.k[i]!, 4)} ${cInt(r.l[i]!, 4)} ${cFixed(r.intensity[i]!, 10, 2)} ${phase} ${cFixed(r.sigma[i]!, 10, 2)} ${cInt(r.nmeas ? r.nmeas[i]! : 1, 7)}`);
  }
  out.push(END);
  for (const line of r.notes ?? []) out.push(line);
  return out.join("\n") + "\n";
}
