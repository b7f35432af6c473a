/** `serialed simulate`: write a simulated SerialED dataset with ground truth. */
import { availableParallelism } from "node:os";
import { getNumber, getString, parseArgs } from "../args.ts";
import { progressBar } from "../progress.ts";
import { writeSimulation } from "../../sim/write-simulation.ts";
import type { SimConfig } from "../../../core/sim/config.ts";
import { DEFAULT_SIM_CONFIG } from "../../../core/sim/config.ts";
import type { Compression } from "../../h5/nexus-types.ts";

export const summary = "write a simulated SerialED dataset (lysozyme, P4₃2₁2) with ground truth";

const d = DEFAULT_SIM_CONFIG;
export const usage = `Usage: serialed simulate --out DIR [options]

Simulates a serial electron diffraction experiment (tetragonal lysozyme-like crystals in P4₃2₁2,
λ = ${d.wavelengthAngstrom} Å, camera length ${d.cameraLengthM} m, ${d.nFs}×${d.nSs} pixels of ${d.pixelSizeM * 1e6} µm) and writes
  DIR/<prefix>_rNN.h5   diffractem/NeXus files: /entry/data/raw_counts (uint16, LZ4, one shot per chunk),
                        /entry/shots, /entry/map/features, STEM map, sample
  DIR/<prefix>.lst      list of the files
  DIR/truth/            shots.csv (true centre, CXI convention; detector shift), crystals.csv (cell,
                        a*,b*,c* in nm⁻¹), spots.csv (true spots), ellipticity.json, saturation.json,
                        config.json, truth.hkl (true intensities, 422), geometry.geom, lyso.cell,
                        truth.sol, mask.h5 (/mask: 1 = good, /pxmask: 1 = dead)
Deterministic: the same options and seed give identical files.

Options:
  --out DIR              output folder (required; created if missing)
  --crystals N           number of crystals (default ${d.nCrystals})
  --frames F             dose-fractionation frames per crystal (default ${d.framesPerCrystal})
  --files K              number of files = grid regions (default ${d.nFiles})
  --seed S               random seed (default ${d.seed})
  --hit-fraction H       probability that a crystal is hit (default ${d.hitFraction})
  --prefix NAME          file name prefix (default ${d.filePrefix})
  --ellipse-ratio R      elliptical distortion ratio (default ${d.ellipseRatio})
  --ellipse-angle DEG    ellipse axis angle (default ${d.ellipseAngleDeg})
  --profile-radius NM    median reciprocal profile radius, nm⁻¹ (default ${d.profileRadiusNm})
  --center-jitter PX     σ of the pattern-centre jitter between crystals (default ${d.centerJitterPx});
                         within one crystal's movie the centre drifts by σ = ${d.centerDriftPx} px
  --dmin A               resolution limit of the model, Å (default ${d.dMinAngstrom})
  --compression C        lz4 | bitshuffle-lz4 | gzip | none (default lz4)
  --workers N            render threads (default: CPUs, max 4; 0 = main thread)
  --spots-min-counts C   leave spots with fewer expected counts out of truth/spots.csv (default 1)
  --help                 this text
`;

export async function run(argv: string[]): Promise<number> {
  const a = parseArgs(argv, {
    out: { value: true }, crystals: { value: true }, frames: { value: true }, files: { value: true }, seed: { value: true },
    "hit-fraction": { value: true }, prefix: { value: true }, "ellipse-ratio": { value: true }, "ellipse-angle": { value: true },
    "profile-radius": { value: true }, "center-jitter": { value: true }, dmin: { value: true }, compression: { value: true },
    workers: { value: true }, "spots-min-counts": { value: true },
  });
  if (a.positional.length > 0) throw new Error(`unexpected argument '${a.positional[0]}' (see --help)`);
  const out = getString(a, "out");
  if (!out) throw new Error("--out DIR is required (see --help)");
  const compression = (getString(a, "compression") ?? "lz4") as Compression;
  if (!["lz4", "bitshuffle-lz4", "gzip", "none"].includes(compression)) throw new Error(`--compression: '${compression}' is not lz4, bitshuffle-lz4, gzip or none`);
  const config: Partial<SimConfig> = {
    nCrystals: getNumber(a, "crystals", d.nCrystals, { integer: true, min: 0 }),
    framesPerCrystal: getNumber(a, "frames", d.framesPerCrystal, { integer: true, min: 1 }),
    nFiles: getNumber(a, "files", d.nFiles, { integer: true, min: 1 }),
    seed: getNumber(a, "seed", d.seed, { integer: true }),
    hitFraction: getNumber(a, "hit-fraction", d.hitFraction, { min: 0 }),
    filePrefix: getString(a, "prefix") ?? d.filePrefix,
    ellipseRatio: getNumber(a, "ellipse-ratio", d.ellipseRatio, { min: 0.5 }),
    ellipseAngleDeg: getNumber(a, "ellipse-angle", d.ellipseAngleDeg),
    profileRadiusNm: getNumber(a, "profile-radius", d.profileRadiusNm, { min: 0 }),
    centerJitterPx: getNumber(a, "center-jitter", d.centerJitterPx, { min: 0 }),
    dMinAngstrom: getNumber(a, "dmin", d.dMinAngstrom, { min: 0.8 }),
  };
  if (!/^[A-Za-z0-9_.-]+$/.test(config.filePrefix!)) throw new Error(`--prefix: '${config.filePrefix}' may contain only letters, digits, '_', '-', '.'`);
  const workers = getNumber(a, "workers", Math.min(4, availableParallelism()), { integer: true, min: 0 });
  const t0 = Date.now();
  let bar: ReturnType<typeof progressBar> | undefined;
  const res = await writeSimulation(out, config, {
    workers, compression, spotsMinCounts: getNumber(a, "spots-min-counts", 1, { min: 0 }),
    onProgress: (done, total) => { bar ??= progressBar("simulate", total, "shots"); bar.update(done); },
  });
  bar?.finish();
  const s = res.sim;
  const hits = Array.from(s.truth.hit).reduce((x, y) => x + y, 0);
  console.log(`wrote ${res.files.length} file(s), ${s.nShots} shots (${s.crystals.length} crystals × ${s.config.framesPerCrystal} frames + ${s.nShots - s.crystals.length * s.config.framesPerCrystal} auxiliary; ${hits} hits) in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  console.log(`list: ${res.listPath}`);
  console.log(`truth: ${res.truthDir}`);
  return 0;
}
