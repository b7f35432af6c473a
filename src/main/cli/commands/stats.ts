/** `serialed stats`: check_hkl + compare_hkl statistics per resolution shell, and vs number of crystals. */
import { existsSync } from "node:fs";
import { checkHklStats, compareHklStats } from "../../../core/merging/merge-stats.ts";
import { crystalsCurve, defaultCurveSizes } from "../../../core/merging/crystals-curve.ts";
import { chooseExposure } from "../../../core/merging/exposure-choice.ts";
import { pointGroup } from "../../../core/symmetry/point-groups.ts";
import { spaceGroup } from "../../../core/symmetry/space-groups.ts";
import { getNumber, getString, parseArgs } from "../args.ts";
import { halfSetPaths, loadCell, loadHkl } from "../../merge/load-inputs.ts";
import { readStreamObservations } from "../../merge/read-stream-observations.ts";
import { curveTable, shellReport, shellTable, toCsv, toJson } from "../../merge/stats-report.ts";
import { writeFileAtomic } from "../../merge/write-atomic.ts";

export const summary = "Merging statistics per shell (completeness, multiplicity, I/σ, CC½, CC*, Rsplit) and vs crystals";
export const usage = `Usage: serialed stats out.hkl --cell c.cell [options]
       serialed stats run1.hkl run2.hkl … --cell c.cell [options]     (exposure / run comparison)

Shells of equal reciprocal volume between the data limits (or --lowres/--highres). Per shell and
overall: nref, possible (asymmetric unit of the point group, centring absences removed; with
--spacegroup also screw/glide absences), completeness, measurements, multiplicity, mean I/σ(I);
if out.hkl1 and out.hkl2 exist beside out.hkl: CC½, CC* and Rsplit between them (list 2 scaled
to list 1 as compare_hkl does). Numbers match CrystFEL 0.12.0 check_hkl / compare_hkl.

With several .hkl files (e.g. the same crystals integrated over different dose-fraction frame
ranges, each merged with serialed merge), prints one row per run on common shells — overall and
highest-shell completeness, I/σ and CC½ — and names the run with the best high-resolution CC½.

Options:
  --cell FILE          CrystFEL unit cell file (required)
  --symmetry PG        point group (default: the Symmetry: line of the file)
  --spacegroup SG      also remove space-group absences from "possible" (e.g. P43212)
  --shells N           number of shells (default 10)
  --lowres Å --highres Å   resolution range
  --crystals-curve     statistics vs number of crystals merged: needs --stream (merged in subsets of
                       the first N crystals with the same options as serialed merge defaults)
  --stream FILE        stream(s) for --crystals-curve (repeatable)
  --model M            merging model for --crystals-curve (unity|xsphere, default unity)
  --steps N            number of subset sizes for --crystals-curve (default 8)
  --json FILE          write all numbers as JSON
  --csv FILE           write the shell table as CSV (and FILE.curve.csv for the curve)
`;

export async function run(args: string[]): Promise<number> {
  const p = parseArgs(args, {
    cell: { value: true }, symmetry: { value: true }, spacegroup: { value: true }, shells: { value: true }, lowres: { value: true }, highres: { value: true },
    "crystals-curve": { value: false }, stream: { value: true, multiple: true }, model: { value: true }, steps: { value: true }, json: { value: true }, csv: { value: true },
  });
  const file = p.positional[0];
  const cellPath = getString(p, "cell");
  if (file === undefined || cellPath === undefined) {
    console.error("serialed stats: need out.hkl and --cell (see --help)");
    return 2;
  }
  const cell = loadCell(cellPath);
  if (p.positional.length > 1) return compareRuns(p.positional, cell, getString(p, "symmetry"), getNumber(p, "shells", 10, { integer: true, min: 1 }), getString(p, "json"), getString(p, "csv"));
  const list = loadHkl(file);
  const symmetry = getString(p, "symmetry") ?? list.symmetry;
  if (symmetry === null) throw new Error(`${file} has no Symmetry: line; give --symmetry`);
  const pg = pointGroup(symmetry);
  const sgName = getString(p, "spacegroup");
  const sg = sgName === undefined ? undefined : spaceGroup(sgName);
  const lowres = getString(p, "lowres"), highres = getString(p, "highres");
  const range = {
    nShells: getNumber(p, "shells", 10, { integer: true, min: 1 }),
    ...(lowres !== undefined ? { rminInvNm: 10 / getNumber(p, "lowres", 0, { min: 0 }) } : {}),
    ...(highres !== undefined ? { rmaxInvNm: 10 / getNumber(p, "highres", 0, { min: 0 }) } : {}),
  };
  const check = checkHklStats(list, cell, pg, { ...range, ...(sg !== undefined ? { spaceGroup: sg } : {}) });
  const [p1, p2] = halfSetPaths(file);
  let halves = null;
  if (existsSync(p1) && existsSync(p2)) {
    halves = compareHklStats(loadHkl(p1), loadHkl(p2), cell, { ...range, rminInvNm: check.overall.minInvNm, rmaxInvNm: check.overall.maxInvNm });
  } else console.error(`note: ${p1} / ${p2} not found, no CC½/Rsplit`);
  const rows = shellReport(check, halves);
  process.stdout.write(shellTable(rows));
  if (check.invalidIOverSigma > 0) console.error(`warning: ${check.invalidIOverSigma} reflections had infinite or invalid I/σ(I) (σ = 0)`);
  let curve = null;
  if (p.flags.has("crystals-curve")) {
    const streams = p.options.get("stream") ?? [];
    if (streams.length === 0) throw new Error("--crystals-curve needs --stream FILE (the stream(s) that were merged)");
    const data = await readStreamObservations(streams);
    for (const w of data.warnings) console.error(`warning: ${w}`);
    const model = getString(p, "model") ?? "unity";
    if (model !== "unity" && model !== "xsphere") throw new Error(`--model must be unity or xsphere, not '${model}'`);
    curve = crystalsCurve(data.observations, data.crystals, { pointGroup: pg, model }, cell, pg, defaultCurveSizes(data.crystals.count, getNumber(p, "steps", 8, { integer: true, min: 1 })), { ...range, rminInvNm: check.overall.minInvNm, rmaxInvNm: check.overall.maxInvNm });
    process.stdout.write("\nStatistics vs number of crystals merged (first N in stream order):\n");
    process.stdout.write(curveTable(curve));
  }
  const json = getString(p, "json");
  if (json !== undefined) writeFileAtomic(json, toJson({ file, symmetry, spaceGroup: sg?.entry.hm ?? null, shells: rows, invalidIOverSigma: check.invalidIOverSigma, halfSets: halves === null ? null : { pairs: halves.pairs, relativeScale: halves.relativeScale, relativeBA2: halves.relativeBA2 }, crystalsCurve: curve }));
  const csv = getString(p, "csv");
  if (csv !== undefined) {
    writeFileAtomic(csv, toCsv(rows));
    if (curve !== null) writeFileAtomic(`${csv}.curve.csv`, toCsv(curve));
  }
  return 0;
}

function compareRuns(files: readonly string[], cell: ReturnType<typeof loadCell>, symmetry: string | undefined, nShells: number, json: string | undefined, csv: string | undefined): number {
  const runs = files.map((f) => {
    const merged = loadHkl(f);
    const [p1, p2] = halfSetPaths(f);
    const halves = existsSync(p1) && existsSync(p2) ? ([loadHkl(p1), loadHkl(p2)] as const) : null;
    if (halves === null) console.error(`note: ${p1} / ${p2} not found, no CC½ for ${f}`);
    return { label: f, merged, halves };
  });
  const sym = symmetry ?? runs[0]!.merged.symmetry;
  if (sym === null) throw new Error(`${files[0]} has no Symmetry: line; give --symmetry`);
  const choice = chooseExposure(runs, cell, pointGroup(sym), { nShells });
  const hs = choice.runs[0]!.highShell;
  const head = ["run", "nref", "compl%", "mult", "I/σ", "CC½", `high ${(10 / hs.minInvNm).toFixed(2)}–${(10 / hs.maxInvNm).toFixed(2)} Å: compl%`, "I/σ", "CC½"];
  const n = (v: number, d: number): string => (Number.isFinite(v) ? v.toFixed(d) : "nan");
  const body = choice.runs.map((r, i) => [`${i === choice.best ? "*" : " "} ${r.label}`, String(r.nref), n(r.completeness, 2), n(r.multiplicity, 2), n(r.meanIOverSigma, 2), n(r.ccHalf, 4), n(r.highShell.completeness, 2), n(r.highShell.meanIOverSigma, 2), n(r.highShell.ccHalf, 4)]);
  const widths = head.map((h, c) => Math.max(h.length, ...body.map((b) => b[c]!.length)));
  const line = (cells: readonly string[]): string => cells.map((x, c) => (c === 0 ? x.padEnd(widths[c]!) : x.padStart(widths[c]!))).join("  ");
  process.stdout.write([line(head), ...body.map(line)].join("\n") + "\n");
  process.stdout.write(`best exposure (highest-shell CC½): ${choice.runs[choice.best]!.label}\n`);
  if (json !== undefined) writeFileAtomic(json, toJson(choice));
  if (csv !== undefined) writeFileAtomic(csv, toCsv(choice.runs));
  return 0;
}
