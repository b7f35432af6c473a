/**
 * SHELX HKLF 4 reflection file: FORTRAN (3I4, 2F8.2) per line (h k l F² σ(F²)), scaled so every value
 * fits its 8-character field, terminated by a zero line. Cell and symmetry belong to the .ins file
 * ({@link shelxInsHeader} gives the CELL/ZERR/LATT/SYMM cards).
 */
import type { ReflectionList } from "../merging/observations.ts";
import { formatSymOp } from "../symmetry/symop.ts";
import { primitiveOps, type SpaceGroup } from "../symmetry/space-groups.ts";
import type { UnitCell } from "../geometry/cell.ts";

const MAX_FIELD = 99999.99;
const MIN_FIELD = -9999.99;

/** Scale applied to I and σ so that every value fits in F8.2. */
export function shelxScale(r: ReflectionList): number {
  let maxV = 0, minV = 0;
  for (let i = 0; i < r.count; i++) {
    maxV = Math.max(maxV, r.intensity[i]!, r.sigma[i]!);
    minV = Math.min(minV, r.intensity[i]!);
  }
  let s = 1;
  if (maxV > MAX_FIELD) s = Math.min(s, MAX_FIELD / maxV);
  if (minV < MIN_FIELD) s = Math.min(s, MIN_FIELD / minV);
  return s;
}

/** The HKLF 4 text; throws if an index does not fit I4. */
export function writeShelxHkl(r: ReflectionList, opts: { scale?: number } = {}): string {
  const s = opts.scale ?? shelxScale(r);
  const lines: string[] = [];
  for (let i = 0; i < r.count; i++) {
    const h = r.h[i]!, k = r.k[i]!, l = r.l[i]!;
    if (h === 0 && k === 0 && l === 0) continue;
    for (const v of [h, k, l]) if (v < -999 || v > 9999) throw new Error(`SHELX export: index ${h} ${k} ${l} does not fit the I4 field`);
    lines.push(`${String(h).padStart(4)}${String(k).padStart(4)}${String(l).padStart(4)}${(r.intensity[i]! * s).toFixed(2).padStart(8)}${(r.sigma[i]! * s).toFixed(2).padStart(8)}`);
  }
  lines.push("   0   0   0    0.00    0.00");
  return lines.join("\n") + "\n";
}

/** TITL/CELL/ZERR/LATT/SYMM cards for a SHELX .ins file (LATT sign: + centrosymmetric, − not). */
export function shelxInsHeader(cell: UnitCell, sg: SpaceGroup, wavelengthA: number, title = "serialed"): string {
  const lattN: Record<string, number> = { P: 1, I: 2, R: 3, F: 4, A: 5, B: 6, C: 7 };
  const centro = sg.ops.some((o) => o.rot.join() === "-1,0,0,0,-1,0,0,0,-1");
  const latt = (lattN[sg.centering] ?? 1) * (centro ? 1 : -1);
  const ops = primitiveOps(sg).filter((o) => o.rot.join() !== "1,0,0,0,1,0,0,0,1" || o.trans12.some((t) => t !== 0));
  const symm = ops.filter((o) => !(centro && o.rot.every((v, i) => v === ([-1, 0, 0, 0, -1, 0, 0, 0, -1][i] ?? 0)))).map((o) => `SYMM ${formatSymOp(o)}`);
  return [
    `TITL ${title} in ${sg.entry.short}`,
    `CELL ${wavelengthA.toFixed(5)} ${[cell.aA, cell.bA, cell.cA, cell.alphaDeg, cell.betaDeg, cell.gammaDeg].map((v) => v.toFixed(4)).join(" ")}`,
    "ZERR 1 0 0 0 0 0 0",
    `LATT ${latt}`,
    ...symm,
    "",
  ].join("\n");
}
