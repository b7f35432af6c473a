/**
 * CCP4 reciprocal-space asymmetric units (Laue group, Friedel mates merged), the convention MTZ and
 * mmCIF consumers expect (as printed by `gemmi sg`: e.g. 4/mmm "h>=k and k>=0 and l>=0").
 */
import { laueGroupOf, type PointGroup } from "./point-groups.ts";

type Pred = (h: number, k: number, l: number) => boolean;

/** Predicates per Laue class (standard settings; hexagonal axes for trigonal groups). */
const ASU: Readonly<Record<string, Pred>> = {
  "-1": (h, k, l) => l > 0 || (l === 0 && (h > 0 || (h === 0 && k >= 0))),
  "2/m": (h, k, l) => k >= 0 && (l > 0 || (l === 0 && h >= 0)),
  "mmm": (h, k, l) => h >= 0 && k >= 0 && l >= 0,
  "4/m": (h, k, l) => l >= 0 && ((h >= 0 && k > 0) || (h === 0 && k === 0)),
  "4/mmm": (h, k, l) => h >= k && k >= 0 && l >= 0,
  "-3": (h, k, l) => (h >= 0 && k > 0) || (h === 0 && k === 0 && l >= 0),
  "-3m1": (h, k, l) => h >= k && k >= 0 && (k > 0 || l >= 0),
  "-31m": (h, k, l) => h >= k && k >= 0 && (h > k || l >= 0),
  "6/m": (h, k, l) => l >= 0 && ((h >= 0 && k > 0) || (h === 0 && k === 0)),
  "6/mmm": (h, k, l) => h >= k && k >= 0 && l >= 0,
  "m-3": (h, k, l) => h >= 0 && ((l >= h && k > h) || (l === h && k === h)),
  "m-3m": (h, k, l) => k >= l && l >= h && h >= 0,
};

/** Laue class name of a CrystFEL point-group name (unique axis b/c standard settings only). */
export function laueClassOf(pointGroupName: string): string {
  const map: Record<string, string> = {
    "1": "-1", "-1": "-1", "2": "2/m", "m": "2/m", "2/m": "2/m", "222": "mmm", "mm2": "mmm", "mmm": "mmm",
    "4": "4/m", "-4": "4/m", "4/m": "4/m", "422": "4/mmm", "4mm": "4/mmm", "-42m": "4/mmm", "-4m2": "4/mmm", "4/mmm": "4/mmm",
    "3_H": "-3", "-3_H": "-3", "321_H": "-3m1", "3m1_H": "-3m1", "-3m1_H": "-3m1", "312_H": "-31m", "31m_H": "-31m", "-31m_H": "-31m",
    "6": "6/m", "-6": "6/m", "6/m": "6/m", "622": "6/mmm", "6mm": "6/mmm", "-6m2": "6/mmm", "-62m": "6/mmm", "6/mmm": "6/mmm",
    "23": "m-3", "m-3": "m-3", "432": "m-3m", "-43m": "m-3m", "m-3m": "m-3m",
  };
  const laue = map[pointGroupName];
  if (laue === undefined) throw new Error(`no CCP4 asymmetric unit for point group "${pointGroupName}" (rhombohedral axes and non-standard unique axes are not supported; use hexagonal axes)`);
  return laue;
}

/**
 * Maps (h, k, l) to the CCP4 asymmetric unit of the Laue group of `pg` (Friedel mates merged).
 * Writes [h, k, l] into `out`.
 */
export function ccp4AsymmetricIndex(pg: PointGroup, pointGroupName: string, h: number, k: number, l: number, out: Int32Array): void {
  const pred = ASU[laueClassOf(pointGroupName)]!;
  const laue = laueGroupOf(pg);
  const o = laue.ops;
  for (let p = 0; p < laue.count; p++) {
    const b = p * 9;
    const nh = h * o[b]! + k * o[b + 3]! + l * o[b + 6]!;
    const nk = h * o[b + 1]! + k * o[b + 4]! + l * o[b + 7]!;
    const nl = h * o[b + 2]! + k * o[b + 5]! + l * o[b + 8]!;
    if (pred(nh, nk, nl)) {
      out[0] = nh; out[1] = nk; out[2] = nl;
      return;
    }
  }
  throw new Error(`internal: no CCP4 asymmetric-unit equivalent of ${h} ${k} ${l} in ${pointGroupName}`);
}
