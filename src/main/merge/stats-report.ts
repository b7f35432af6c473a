/** Terminal table, JSON and CSV renderings of merging statistics (check_hkl + compare_hkl columns). */
import type { CheckStats, CompareStats } from "../../core/merging/merge-stats.ts";
import type { CrystalsCurvePoint } from "../../core/merging/crystals-curve.ts";

export interface ShellReportRow {
  readonly shell: string;
  readonly minInvNm: number;
  readonly maxInvNm: number;
  readonly dMaxA: number;
  readonly dMinA: number;
  readonly nref: number;
  readonly possible: number;
  readonly completeness: number;
  readonly measurements: number;
  readonly multiplicity: number;
  readonly meanIOverSigma: number;
  readonly meanI: number;
  readonly pairs: number | null;
  readonly ccHalf: number | null;
  readonly ccStar: number | null;
  readonly rsplit: number | null;
}

/** Combines per-shell check and (optional) half-set comparison computed on the same boundaries. */
export function shellReport(check: CheckStats, halves: CompareStats | null): ShellReportRow[] {
  const rows = [...check.shells, check.overall].map((s, i): ShellReportRow => {
    const c = halves === null ? null : i < check.shells.length ? halves.shells[i]! : halves.overall;
    return {
      shell: i < check.shells.length ? String(i + 1) : "overall",
      minInvNm: s.minInvNm, maxInvNm: s.maxInvNm, dMaxA: 10 / s.minInvNm, dMinA: 10 / s.maxInvNm,
      nref: s.nref, possible: s.possible, completeness: s.completeness, measurements: s.measurements,
      multiplicity: s.multiplicity, meanIOverSigma: s.meanIOverSigma, meanI: s.meanI,
      pairs: c?.nref ?? null, ccHalf: c?.cc ?? null, ccStar: c?.ccStar ?? null, rsplit: c?.rsplit ?? null,
    };
  });
  return rows;
}

const num = (v: number | null, d: number): string => (v === null ? "-" : Number.isFinite(v) ? v.toFixed(d) : "nan");

export function shellTable(rows: readonly ShellReportRow[]): string {
  const head = ["shell", "d range (Å)", "nref", "possible", "compl%", "meas", "mult", "I/σ", "CC½", "CC*", "Rsplit%", "pairs"];
  const body = rows.map((r) => [
    r.shell, `${r.dMaxA.toFixed(2)}–${r.dMinA.toFixed(2)}`, String(r.nref), String(r.possible), num(r.completeness, 2), String(r.measurements),
    num(r.multiplicity, 2), num(r.meanIOverSigma, 2), num(r.ccHalf, 4), num(r.ccStar, 4), num(r.rsplit, 2), r.pairs === null ? "-" : String(r.pairs),
  ]);
  const widths = head.map((h, c) => Math.max(h.length, ...body.map((b) => b[c]!.length)));
  const line = (cells: readonly string[]): string => cells.map((x, c) => x.padStart(widths[c]!)).join("  ");
  return [line(head), ...body.map(line)].join("\n") + "\n";
}

export function toCsv(rows: readonly object[]): string {
  if (rows.length === 0) return "";
  const flat = rows.map((r) => flatten(r as Record<string, unknown>));
  const keys = Object.keys(flat[0]!);
  const cell = (v: unknown): string => (v === null || v === undefined ? "" : typeof v === "number" ? (Number.isFinite(v) ? String(v) : "nan") : `"${String(v).replace(/"/g, '""')}"`);
  return [keys.join(","), ...flat.map((r) => keys.map((k) => cell(r[k])).join(","))].join("\n") + "\n";
}

function flatten(o: Record<string, unknown>, prefix = ""): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) {
    if (v !== null && typeof v === "object" && !Array.isArray(v)) Object.assign(out, flatten(v as Record<string, unknown>, `${prefix}${k}.`));
    else out[`${prefix}${k}`] = v;
  }
  return out;
}

/** JSON with NaN written as null. */
export function toJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => (typeof v === "number" && !Number.isFinite(v) ? null : v), 2) + "\n";
}

export function curveTable(points: readonly CrystalsCurvePoint[]): string {
  const head = ["crystals", "unique", "compl%", "mult", "I/σ", "CC½", "CC*", "Rsplit%", "high: compl%", "high: CC½", "high: I/σ"];
  const body = points.map((p) => [String(p.crystals), String(p.uniqueReflections), num(p.completeness, 2), num(p.multiplicity, 2), num(p.meanIOverSigma, 2), num(p.ccHalf, 4), num(p.ccStar, 4), num(p.rsplit, 2), num(p.highShell.completeness, 2), num(p.highShell.ccHalf, 4), num(p.highShell.meanIOverSigma, 2)]);
  const widths = head.map((h, c) => Math.max(h.length, ...body.map((b) => b[c]!.length)));
  const line = (cells: readonly string[]): string => cells.map((x, c) => x.padStart(widths[c]!)).join("  ");
  return [line(head), ...body.map(line)].join("\n") + "\n";
}
