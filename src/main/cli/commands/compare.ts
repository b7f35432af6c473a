/** `serialed compare`: compare_hkl-like comparison of two reflection lists. */
import { compareHklStats, fomValue, type Fom } from "../../../core/merging/merge-stats.ts";
import { mapToAsymmetricUnit, pointGroup } from "../../../core/symmetry/point-groups.ts";
import type { HklReflections } from "../../../core/formats/hkl-file.ts";
import { getNumber, getString, parseArgs } from "../args.ts";
import { loadCell, loadHkl } from "../../merge/load-inputs.ts";
import { toCsv, toJson } from "../../merge/stats-report.ts";
import { writeFileAtomic } from "../../merge/write-atomic.ts";

export const summary = "Compare two .hkl files per resolution shell (CC, CC*, Rsplit), like compare_hkl";
export const usage = `Usage: serialed compare a.hkl b.hkl --cell c.cell [options]

Pairs are reflections present in both lists (after mapping both to the asymmetric unit of
--symmetry). List b is scaled to list a (scale and relative B, fitted on ln(I_a/I_b) vs s²) unless
--no-scale. Shells of equal reciprocal volume over the range of the pairs.

Options:
  --cell FILE        CrystFEL unit cell file (required)
  --symmetry PG      point group (default: the Symmetry: line of a.hkl)
  --fom F            CC, CCstar or Rsplit (default CC; all three are in --json/--csv)
  --shells N         number of shells (default 10)
  --lowres Å --highres Å
  --no-scale         compare without relative scaling
  --json FILE --csv FILE
`;

function toAsu(r: HklReflections, pg: ReturnType<typeof pointGroup>): HklReflections {
  const h = Int32Array.from(r.h), k = Int32Array.from(r.k), l = Int32Array.from(r.l);
  mapToAsymmetricUnit(pg, h, k, l, h, k, l);
  return { ...r, h, k, l };
}

export async function run(args: string[]): Promise<number> {
  const p = parseArgs(args, { cell: { value: true }, symmetry: { value: true }, fom: { value: true }, shells: { value: true }, lowres: { value: true }, highres: { value: true }, "no-scale": { value: false }, json: { value: true }, csv: { value: true } });
  const [fa, fb] = p.positional;
  const cellPath = getString(p, "cell");
  if (fa === undefined || fb === undefined || cellPath === undefined) {
    console.error("serialed compare: need a.hkl b.hkl --cell (see --help)");
    return 2;
  }
  const fom = (getString(p, "fom") ?? "CC") as Fom;
  if (!["CC", "CCstar", "Rsplit"].includes(fom)) throw new Error(`--fom must be CC, CCstar or Rsplit, not '${fom}'`);
  const a = loadHkl(fa), b = loadHkl(fb);
  const symmetry = getString(p, "symmetry") ?? a.symmetry;
  if (symmetry === null) throw new Error(`${fa} has no Symmetry: line; give --symmetry`);
  const pg = pointGroup(symmetry);
  const lowres = getString(p, "lowres"), highres = getString(p, "highres");
  const st = compareHklStats(toAsu(a, pg), toAsu(b, pg), loadCell(cellPath), {
    nShells: getNumber(p, "shells", 10, { integer: true, min: 1 }), noScale: p.flags.has("no-scale"),
    ...(lowres !== undefined ? { rminInvNm: 10 / getNumber(p, "lowres", 0, { min: 0 }) } : {}),
    ...(highres !== undefined ? { rmaxInvNm: 10 / getNumber(p, "highres", 0, { min: 0 }) } : {}),
  });
  console.error(`${st.pairs} reflection pairs accepted; relative scale ${st.relativeScale.toFixed(6)}, relative B ${st.relativeBA2.toFixed(6)} Å²`);
  const label = fom === "Rsplit" ? "Rsplit/%" : fom === "CCstar" ? "CC*" : "CC";
  const fmt = (v: number): string => (Number.isFinite(v) ? (fom === "Rsplit" ? v.toFixed(2) : v.toFixed(7)) : "nan");
  const lines = [`  1/d centre ${label.padStart(10)}       nref      d / A   Min 1/nm    Max 1/nm`];
  for (const s of st.shells) lines.push(`${s.centerInvNm.toFixed(3).padStart(10)} ${fmt(fomValue(s, fom)).padStart(10)} ${String(s.nref).padStart(10)} ${(10 / s.centerInvNm).toFixed(2).padStart(10)} ${s.minInvNm.toFixed(3).padStart(10)} ${s.maxInvNm.toFixed(3).padStart(11)}`);
  process.stdout.write(lines.join("\n") + "\n");
  process.stdout.write(`Overall ${label === "Rsplit/%" ? "Rsplit" : label} = ${fmt(fomValue(st.overall, fom))}${fom === "Rsplit" ? " %" : ""}\n`);
  const json = getString(p, "json");
  if (json !== undefined) writeFileAtomic(json, toJson(st));
  const csv = getString(p, "csv");
  if (csv !== undefined) writeFileAtomic(csv, toCsv([...st.shells.map((s, i) => ({ shell: String(i + 1), ...s })), { shell: "overall", ...st.overall }]));
  return 0;
}
