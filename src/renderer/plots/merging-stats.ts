/** Reads `serialed stats --json` output (shell rows, crystals curve) into plot-ready arrays. */

export interface ShellRow {
  readonly shell: string;
  readonly dMinA: number; readonly dMaxA: number; readonly minInvNm: number; readonly maxInvNm: number;
  readonly nref: number; readonly possible: number; readonly completeness: number; readonly measurements: number;
  readonly multiplicity: number; readonly meanIOverSigma: number;
  readonly ccHalf: number | null; readonly ccStar: number | null; readonly rsplit: number | null;
}

export interface CurvePoint {
  readonly crystals: number; readonly completeness: number; readonly multiplicity: number; readonly meanIOverSigma: number;
  readonly ccHalf: number; readonly ccStar: number; readonly rsplit: number;
  readonly highShell?: { readonly completeness: number; readonly ccHalf: number; readonly meanIOverSigma: number };
}

export interface MergingStats {
  readonly label: string;
  readonly shells: readonly ShellRow[];
  readonly overall: ShellRow | null;
  readonly curve: readonly CurvePoint[];
}

/** Parses the stats JSON; throws a clear Error when it does not have the expected shell table. */
export function parseStatsJson(json: unknown, label: string): MergingStats {
  const o = json as { shells?: unknown; crystalsCurve?: unknown } | null;
  if (!o || !Array.isArray(o.shells)) throw new Error(`${label}: statistics JSON has no 'shells' table`);
  const rows = o.shells as ShellRow[];
  return {
    label,
    shells: rows.filter((r) => r.shell !== "overall"),
    overall: rows.find((r) => r.shell === "overall") ?? null,
    curve: Array.isArray(o.crystalsCurve) ? (o.crystalsCurve as CurvePoint[]) : [],
  };
}

/** Shell centre in 1/d (nm⁻¹), the x axis of the resolution plots. */
export const shellCentreInvNm = (r: ShellRow): number => 0.5 * (r.minInvNm + r.maxInvNm);

/** Per-crystal CSV of `serialed merge` (header row, comma-separated) → columns by name. */
export function parseCsv(text: string): Record<string, string[]> {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== "");
  const head = (lines[0] ?? "").split(",").map((h) => h.trim());
  const cols: Record<string, string[]> = Object.fromEntries(head.map((h) => [h, []]));
  for (const l of lines.slice(1)) {
    const cells = l.split(",");
    head.forEach((h, i) => cols[h]!.push((cells[i] ?? "").trim()));
  }
  return cols;
}
