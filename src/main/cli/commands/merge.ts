/** `serialed merge`: partialator-like merging of CrystFEL streams into .hkl/.hkl1/.hkl2. */
import { statSync } from "node:fs";
import { formatHkl } from "../../../core/formats/hkl-file.ts";
import { mergeObservations, type PartialityModel } from "../../../core/merging/merge-pipeline.ts";
import { pointGroup } from "../../../core/symmetry/point-groups.ts";
import { ambiguityOperator, applyReindexing, resolveAmbiguity } from "../../../core/merging/ambiguity.ts";
import { getNumber, getString, parseArgs } from "../args.ts";
import { progressBar } from "../progress.ts";
import { readStreamObservations } from "../../merge/read-stream-observations.ts";
import { toCsv } from "../../merge/stats-report.ts";
import { writeFileAtomic } from "../../merge/write-atomic.ts";

export const summary = "Merge CrystFEL streams (unity or xsphere partiality, scaling, ΔCC½ rejection) into .hkl + half-sets";
export const usage = `Usage: serialed merge INPUT.stream… --symmetry 422 --out out.hkl [options]

Reads the integrated reflections of every crystal in the streams (crystals numbered in stream order),
maps them to the asymmetric unit of the point group (CrystFEL's convention), and merges them like
partialator: per-crystal linear scale G and relative B factor refined against the merged reference
(strong reflections, I > 3σ), ΔCC½ (σ-τ) rejection of outlier crystals, then --iterations cycles of
scaling (and, for xsphere, post-refinement of the profile radius). Writes out.hkl (CrystFEL
reflection list 2.0), out.hkl1 / out.hkl2 (half-sets: odd / even crystals, as partialator) and
out.hkl.crystals.csv (per crystal: label, scale, B, included, ΔCC½, observations, radius).
Truncated or malformed chunks are skipped with a warning naming the chunk.

Options:
  --symmetry PG          point group (CrystFEL name: 422, 4/mmm, 321_H, 2_uab, …) (required)
  --out FILE             output .hkl (required)
  --model M              unity (default) or xsphere (partiality from profile radius and excitation error)
  --iterations N         scaling/refinement cycles after the initial scaling (default 1)
  --min-measurements N   minimum observations per merged reflection (default 2)
  --highres Å            leave out observations beyond this resolution
  --lowres Å             leave out observations below this resolution
  --no-scale             no per-crystal scaling
  --no-bscale            scale factor only, no relative B
  --no-deltacchalf       no ΔCC½ rejection
  --min-partiality P     xsphere: observations with lower partiality are not merged (default 0.3)
  --push-res X           merge only reflections up to X nm⁻¹ beyond each crystal's
                         diffraction_resolution_limit (partialator --push-res; default: no cut)
  --stop-after N         use only the first N crystals
  --exclude LIST         comma-separated crystal indices (0-based, stream order) to leave out
  --ambiguity PG         resolve the indexing ambiguity first (ambigator-like): PG is the apparent
                         (lattice) point group, e.g. 4/mmm when merging in 4; crystals found in the
                         other setting are reindexed with the operator relating the two
  --ambiguity-highres Å  only use reflections up to this resolution for the ambiguity correlations
`;

export async function run(args: string[]): Promise<number> {
  const p = parseArgs(args, {
    symmetry: { value: true }, out: { value: true }, model: { value: true }, iterations: { value: true }, "min-measurements": { value: true },
    highres: { value: true }, lowres: { value: true }, "no-scale": { value: false }, "no-bscale": { value: false }, "no-deltacchalf": { value: false },
    "min-partiality": { value: true }, "stop-after": { value: true }, exclude: { value: true }, ambiguity: { value: true }, "push-res": { value: true }, "ambiguity-highres": { value: true },
  });
  const symmetry = getString(p, "symmetry");
  const out = getString(p, "out");
  if (symmetry === undefined || out === undefined || p.positional.length === 0) {
    console.error("serialed merge: need INPUT.stream…, --symmetry and --out (see --help)");
    return 2;
  }
  const model = (getString(p, "model") ?? "unity") as PartialityModel;
  if (model !== "unity" && model !== "xsphere") throw new Error(`--model must be unity or xsphere, not '${model}'`);
  const pg = pointGroup(symmetry);
  const totalBytes = p.positional.reduce((s, f) => {
    try {
      return s + statSync(f).size;
    } catch {
      throw new Error(`stream ${f} does not exist or cannot be read`);
    }
  }, 0);
  const bar = progressBar("reading", Math.max(1, Math.round(totalBytes / 1e6)), "MB");
  const stopAfter = getNumber(p, "stop-after", 0, { integer: true, min: 0 });
  const data = await readStreamObservations(p.positional, { ...(stopAfter > 0 ? { maxCrystals: stopAfter } : {}), onProgress: (b) => bar.update(Math.round(b / 1e6)) });
  bar.finish(`${data.crystals.count} crystals, ${data.observations.count} reflections`);
  for (const w of data.warnings) console.error(`warning: ${w}`);
  if (data.crystals.count === 0) throw new Error(`no crystals found in ${p.positional.join(", ")}`);
  const highres = getString(p, "highres"), lowres = getString(p, "lowres");
  const exclude = (getString(p, "exclude") ?? "").split(",").filter((s) => s.trim() !== "").map(Number);
  const t0 = performance.now();
  let observations = data.observations;
  const apparent = getString(p, "ambiguity");
  if (apparent !== undefined) {
    const op = ambiguityOperator(pg, pointGroup(apparent));
    const ah = getString(p, "ambiguity-highres");
    const amb = resolveAmbiguity(observations, data.crystals.count, { actual: pg, operator: op, ...(ah !== undefined ? { highInvNm: 10 / getNumber(p, "ambiguity-highres", 0, { min: 0 }) } : {}) });
    const n = amb.reindexed.reduce((a, b) => a + b, 0);
    console.error(`ambiguity ${symmetry} in ${apparent}: operator [${op.join(" ")}], ${n} of ${data.crystals.count} crystals reindexed`);
    observations = applyReindexing(observations, amb.reindexed, op);
  }
  const res = mergeObservations(observations, data.crystals, {
    pointGroup: pg, model, iterations: getNumber(p, "iterations", 1, { integer: true, min: 0 }),
    scale: !p.flags.has("no-scale"), bScale: !p.flags.has("no-bscale"), rejectOutliers: !p.flags.has("no-deltacchalf") && !p.flags.has("no-scale"),
    minMeasurements: getNumber(p, "min-measurements", 2, { integer: true, min: 1 }),
    minPartiality: getNumber(p, "min-partiality", 0.3, { min: 0 }),
    excludeCrystals: exclude,
    ...(getString(p, "push-res") !== undefined ? { pushResInvNm: getNumber(p, "push-res", 0) } : {}),
    ...(highres !== undefined ? { highResInvNm: 10 / getNumber(p, "highres", 0, { min: 0 }) } : {}),
    ...(lowres !== undefined ? { lowResInvNm: 10 / getNumber(p, "lowres", 0, { min: 0 }) } : {}),
    log: (s) => console.error(s),
  });
  const used = res.crystals.included.reduce((a, b) => a + b, 0);
  console.error(`merged ${res.merged.count} reflections from ${used} of ${data.crystals.count} crystals in ${((performance.now() - t0) / 1000).toFixed(2)} s; CC½ (σ-τ) = ${(100 * res.ccHalf).toFixed(2)} %`);
  const cmd = `serialed merge ${args.join(" ")}`;
  writeFileAtomic(out, formatHkl({ ...res.merged, symmetry, notes: ["Generated by serialed-studio", cmd, ""] }));
  writeFileAtomic(`${out}1`, formatHkl({ ...res.half1, symmetry }));
  writeFileAtomic(`${out}2`, formatHkl({ ...res.half2, symmetry }));
  const rows = data.crystals.labels.map((label, c) => ({
    crystal: c, label, scale: res.crystals.scale[c]!, bFactorA2: res.crystals.bFactorA2[c]!, included: res.crystals.included[c]!,
    deltaCcHalf: res.crystals.deltaCcHalf[c]!, observations: res.crystals.nObservations[c]!, profileRadiusInvNm: res.crystals.radiusInvNm[c]!,
  }));
  writeFileAtomic(`${out}.crystals.csv`, toCsv(rows));
  console.error(`wrote ${out}, ${out}1, ${out}2, ${out}.crystals.csv`);
  return 0;
}
