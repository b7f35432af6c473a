/**
 * check_hkl / compare_hkl outputs: `--shell-file` tables (.dat, with `-nan` for empty shells) and
 * the overall lines they print to the terminal. 1/d in nm⁻¹, d in Å, percentages in %.
 */
import { lineError, parseNumber, splitLines, tokens } from "./text-lines.ts";

/** One check_hkl shell row. */
export interface CheckHklShell {
  readonly centerInvNm: number;
  /** Unique reflections measured. */
  readonly nref: number;
  readonly possible: number;
  readonly completenessPct: number;
  /** Total measurements (Σ nmeas). */
  readonly measurements: number;
  readonly redundancy: number;
  /** Mean I/σ(I). */
  readonly snr: number;
  /** Std. dev. of I (older check_hkl only), else null. */
  readonly stdDev: number | null;
  readonly meanI: number;
  readonly dAngstrom: number;
  readonly minInvNm: number;
  readonly maxInvNm: number;
}

/** One compare_hkl shell row; `value` is the figure of merit (CC, CC*, or Rsplit in %). */
export interface CompareHklShell {
  readonly centerInvNm: number;
  readonly value: number;
  readonly nref: number;
  readonly dAngstrom: number;
  readonly minInvNm: number;
  readonly maxInvNm: number;
}

function rows(text: string, source: string, ncols: readonly number[]): { header: string; data: number[][] } {
  const lines = splitLines(text);
  const hi = lines.findIndex((l) => l.trim() !== "");
  if (hi < 0) throw new Error(`${source}: empty shell table`);
  const data: number[][] = [];
  for (let i = hi + 1; i < lines.length; i++) {
    const f = tokens(lines[i]!);
    if (f.length === 0) continue;
    if (!ncols.includes(f.length)) throw lineError(source, i + 1, `shell row has ${f.length} columns, expected ${ncols.join(" or ")}`);
    data.push(f.map((t, j) => {
      const v = parseNumber(t);
      if (v === null) throw lineError(source, i + 1, `column ${j + 1}: expected a number, got '${t}'`);
      return v;
    }));
  }
  return { header: lines[hi]!, data };
}

/** Parses a check_hkl `--shell-file` table (11 columns, or 12 with the older `Std dev`). */
export function parseCheckHklShells(text: string, source = "check_hkl shell file"): CheckHklShell[] {
  const { header, data } = rows(text, source, [11, 12]);
  if (!/Center 1\/nm/.test(header)) throw lineError(source, 1, `not a check_hkl shell table (header '${header.trim().slice(0, 60)}')`);
  return data.map((r) => {
    const old = r.length === 12;
    const o = old ? 1 : 0;
    return {
      centerInvNm: r[0]!, nref: r[1]!, possible: r[2]!, completenessPct: r[3]!, measurements: r[4]!, redundancy: r[5]!, snr: r[6]!,
      stdDev: old ? r[7]! : null, meanI: r[7 + o]!, dAngstrom: r[8 + o]!, minInvNm: r[9 + o]!, maxInvNm: r[10 + o]!,
    };
  });
}

/** Parses a compare_hkl `--shell-file` table; `fom` is the column name from the header (CC, CC*, Rsplit/%, …). */
export function parseCompareHklShells(text: string, source = "compare_hkl shell file"): { fom: string; shells: CompareHklShell[] } {
  const { header, data } = rows(text, source, [6]);
  const m = /1\/d centre\s+(\S+)\s+nref/.exec(header);
  if (!m) throw lineError(source, 1, `not a compare_hkl shell table (header '${header.trim().slice(0, 60)}')`);
  return {
    fom: m[1]!,
    shells: data.map((r) => ({ centerInvNm: r[0]!, value: r[1]!, nref: r[2]!, dAngstrom: r[3]!, minInvNm: r[4]!, maxInvNm: r[5]! })),
  };
}

/** Overall values printed by check_hkl. */
export interface CheckHklOverall {
  readonly measurements: number;
  readonly reflections: number;
  readonly possible: number;
  readonly snr: number;
  readonly redundancy: number;
  readonly completenessPct: number;
  /** From "WARNING: N reflections had infinite or invalid values of I/sigma(I)", else 0. */
  readonly invalidSnrCount: number;
  /** "1/d goes from A to B nm^-1", null when absent. */
  readonly invNmRange: readonly [min: number, max: number] | null;
}

function grab(text: string, re: RegExp, source: string, what: string): number {
  const m = re.exec(text);
  const v = m ? parseNumber(m[1]!) : null;
  if (v === null) throw new Error(`${source}: no '${what}' line`);
  return v;
}

/** Parses check_hkl's terminal output (stderr) for the overall values. */
export function parseCheckHklOverall(text: string, source = "check_hkl output"): CheckHklOverall {
  const inv = /WARNING: (\d+) reflections had infinite or invalid values/.exec(text);
  const range = /1\/d goes from (\S+) to (\S+) nm\^-1/.exec(text);
  return {
    measurements: grab(text, /^(\d+) measurements in total/m, source, "measurements in total"),
    reflections: grab(text, /^(\d+) reflections in total/m, source, "reflections in total"),
    possible: grab(text, /^(\d+) reflections possible/m, source, "reflections possible"),
    snr: grab(text, /^Overall <snr> = (\S+)/m, source, "Overall <snr>"),
    redundancy: grab(text, /^Overall redundancy = (\S+)/m, source, "Overall redundancy"),
    completenessPct: grab(text, /^Overall completeness = (\S+) %/m, source, "Overall completeness"),
    invalidSnrCount: inv ? Number(inv[1]) : 0,
    invNmRange: range ? [Number(range[1]), Number(range[2])] : null,
  };
}

/** Overall value printed by compare_hkl ("Overall CC = …", "Overall CC* = …", "Overall Rsplit = … %"). */
export interface CompareHklOverall {
  /** FOM name as printed (CC, CC*, Rsplit, R1I, …). */
  readonly fom: string;
  /** Value; Rsplit and other R factors in %. */
  readonly value: number;
  readonly pairsAccepted: number | null;
  readonly relativeScale: number | null;
  readonly relativeBAngstrom2: number | null;
}

/** Parses compare_hkl's terminal output (stderr). */
export function parseCompareHklOverall(text: string, source = "compare_hkl output"): CompareHklOverall {
  const m = /^Overall (\S+) = (\S+)/m.exec(text);
  const v = m ? parseNumber(m[2]!) : null;
  if (!m || v === null) throw new Error(`${source}: no 'Overall <FOM> = <value>' line`);
  const pairs = /^(\d+) reflection pairs accepted/m.exec(text);
  const sc = /Relative scale factor = (\S+), relative B factor = (\S+) A\^2/.exec(text);
  return {
    fom: m[1]!, value: v,
    pairsAccepted: pairs ? Number(pairs[1]) : null,
    relativeScale: sc ? Number(sc[1]) : null,
    relativeBAngstrom2: sc ? Number(sc[2]) : null,
  };
}
