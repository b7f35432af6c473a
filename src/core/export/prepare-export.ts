/**
 * Prepares a merged list for export in a space group: maps indices to an asymmetric unit — CrystFEL's
 * for the space group's point group (asu "crystfel"), or CCP4's for its Laue group (asu "ccp4",
 * Friedel mates merged, as MTZ/mmCIF readers expect) — merges duplicates that appear when the list was
 * merged in a lower symmetry (weighted by nmeas), and drops systematically absent reflections.
 */
import type { ReflectionList } from "../merging/observations.ts";
import { packHkl, unpackHkl } from "../merging/observations.ts";
import { asymmetricIndex, pointGroup } from "../symmetry/point-groups.ts";
import { ccp4AsymmetricIndex } from "../symmetry/ccp4-asu.ts";
import { isSystematicallyAbsent, type SpaceGroup } from "../symmetry/space-groups.ts";

export interface PreparedExport {
  readonly reflections: ReflectionList;
  readonly droppedAbsent: number;
  readonly mergedDuplicates: number;
}

export function prepareForSpaceGroup(list: ReflectionList, sg: SpaceGroup, opts: { keepAbsent?: boolean; asu?: "crystfel" | "ccp4" } = {}): PreparedExport {
  const pg = pointGroup(sg.pointGroupName);
  const t = new Int32Array(3);
  const acc = new Map<number, { n: number; sumI: number; sumVar: number; rows: number }>();
  let dropped = 0;
  for (let i = 0; i < list.count; i++) {
    if (opts.asu === "ccp4") ccp4AsymmetricIndex(pg, sg.pointGroupName, list.h[i]!, list.k[i]!, list.l[i]!, t);
    else asymmetricIndex(pg, list.h[i]!, list.k[i]!, list.l[i]!, t);
    if (opts.keepAbsent !== true && isSystematicallyAbsent(sg, t[0]!, t[1]!, t[2]!)) {
      dropped++;
      continue;
    }
    const key = packHkl(t[0]!, t[1]!, t[2]!);
    const n = Math.max(1, list.nmeas[i]!);
    const a = acc.get(key) ?? { n: 0, sumI: 0, sumVar: 0, rows: 0 };
    a.n += n;
    a.sumI += n * list.intensity[i]!;
    a.sumVar += (n * list.sigma[i]!) ** 2;
    a.rows++;
    acc.set(key, a);
  }
  const keys = [...acc.keys()].sort((x, y) => x - y);
  const m = keys.length;
  const out = { count: m, h: new Int32Array(m), k: new Int32Array(m), l: new Int32Array(m), intensity: new Float64Array(m), sigma: new Float64Array(m), nmeas: new Int32Array(m) };
  let dup = 0;
  keys.forEach((key, j) => {
    const a = acc.get(key)!;
    unpackHkl(key, t);
    out.h[j] = t[0]!; out.k[j] = t[1]!; out.l[j] = t[2]!;
    out.intensity[j] = a.sumI / a.n;
    out.sigma[j] = Math.sqrt(a.sumVar) / a.n;
    out.nmeas[j] = a.n;
    dup += a.rows - 1;
  });
  return { reflections: out, droppedAbsent: dropped, mergedDuplicates: dup };
}
