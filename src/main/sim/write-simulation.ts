/**
 * Writes a simulated dataset: DIR/<prefix>_rNN.h5 (diffractem layout via writeNexusFile: raw_counts uint16
 * LZ4 stack, shot + feature tables, STEM map, sample), DIR/<prefix>.lst, and ground truth in DIR/truth/.
 * Every file goes to a temporary name in the same folder and is renamed when complete.
 */
import { closeSync, mkdirSync, openSync, renameSync, rmSync, writeFileSync, writeSync } from "node:fs";
import { join } from "node:path";
import { createSimulation, type Simulation } from "../../core/sim/simulation.ts";
import { resolveSimConfig, type SimConfig } from "../../core/sim/config.ts";
import type { Compression, NexusFileContent } from "../h5/nexus-types.ts";
import { writeNexusFile } from "../h5/writer.ts";
import { getH5, shortH5Message } from "../h5/h5wasm-init.ts";
import { cellFile, crystalsCsv, ellipticityJson, geometryGeom, listFile, saturationJson, shotsCsv, SPOTS_CSV_HEADER, spotsCsvRows, truthHkl, truthSol } from "../../core/sim/truth-text.ts";
import { RenderPool } from "./render-pool.ts";

export interface WriteSimulationOptions {
  /** Worker threads rendering frames (0 = main thread). */
  readonly workers?: number;
  readonly compression?: Compression;
  /** Spots with fewer expected counts are left out of truth/spots.csv (the API has all). Default 1. */
  readonly spotsMinCounts?: number;
  /** Called after each written shot (over all files). */
  readonly onProgress?: (done: number, total: number) => void;
}

export interface WrittenSimulation {
  readonly sim: Simulation;
  readonly files: string[];
  readonly listPath: string;
  readonly truthDir: string;
}

/** Atomic text write: temporary file in the same folder, then rename. */
export function writeTextAtomic(path: string, text: string): void {
  const tmp = `${path}.tmp-${process.pid}`;
  try {
    writeFileSync(tmp, text);
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw new Error(`writing ${path}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
}

/** Mask file for CrystFEL (`p0/mask = /mask`, good bit 0x01: 1 = usable) plus `/pxmask` (1 = dead, diffractem). */
export async function writeMaskFile(path: string, deadMask: Uint8Array, nSs: number, nFs: number): Promise<void> {
  const h5 = await getH5();
  const tmp = `${path}.tmp-${process.pid}`;
  try {
    const f = new h5.File(tmp, "w");
    try {
      const good = new Uint8Array(deadMask.length);
      for (let i = 0; i < good.length; i++) good[i] = deadMask[i] ? 0 : 1;
      f.create_dataset({ name: "mask", data: good, shape: [nSs, nFs], dtype: "<B", chunks: [nSs, nFs], compression: "gzip", compression_opts: [4] });
      f.create_dataset({ name: "pxmask", data: Uint8Array.from(deadMask), shape: [nSs, nFs], dtype: "<B", chunks: [nSs, nFs], compression: "gzip", compression_opts: [4] });
    } finally {
      f.close();
    }
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw new Error(`writing ${path}: ${shortH5Message(e)}`, { cause: e });
  }
}

export async function writeSimulation(outDir: string, config: Partial<SimConfig>, opts: WriteSimulationOptions = {}): Promise<WrittenSimulation> {
  resolveSimConfig(config); // validate before touching the disk
  const truthDir = join(outDir, "truth");
  try {
    mkdirSync(truthDir, { recursive: true });
  } catch (e) {
    throw new Error(`cannot create the output folder ${truthDir}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
  const sim = createSimulation(config);
  const c = sim.config;
  const pool = await RenderPool.create(sim, config, opts.workers ?? 0);
  const written: string[] = [];
  let done = 0;
  try {
    for (const file of sim.files) {
      const path = join(outDir, file.name);
      const last = file.shotStart + file.shotCount - 1;
      const map = sim.mapImage(file.index);
      const content: NexusFileContent = {
        subset: "entry",
        shots: file.shots,
        features: file.features,
        stacks: new Map([["raw_counts", {
          shape: [file.shotCount, c.nSs, c.nFs], dtype: "<u2", compression: opts.compression ?? "lz4",
          getShot: (i: number) => pool.get(file.shotStart + i, last),
        }]]),
        signal: "raw_counts",
        mapImage: { data: map, shape: [c.mapSizePx, c.mapSizePx], pixelSizeUm: c.mapPixelSizeUm },
        sample: { name: c.sampleName, regionId: file.region, runId: file.run },
        instrument: new Map<string, number | string>([
          ["detector/collection/shutter_time", c.shutterTimeMs],
          ["detector/description", "simulated Lambda 750k (serialed simulate)"],
          ["detector/x_pixel_size", c.pixelSizeM],
          ["detector/y_pixel_size", c.pixelSizeM],
          ["detector/distance", c.cameraLengthM],
          ["beam/incident_wavelength", c.wavelengthAngstrom],
        ]),
      };
      await writeNexusFile(path, content, { onProgress: (d) => opts.onProgress?.(done + d, sim.nShots) });
      done += file.shotCount;
      written.push(path);
    }
  } finally {
    await pool.close();
  }
  const listPath = join(outDir, `${c.filePrefix}.lst`);
  writeTextAtomic(listPath, listFile(sim));
  writeTextAtomic(join(truthDir, "shots.csv"), shotsCsv(sim));
  writeTextAtomic(join(truthDir, "crystals.csv"), crystalsCsv(sim));
  writeTextAtomic(join(truthDir, "ellipticity.json"), ellipticityJson(sim));
  writeTextAtomic(join(truthDir, "saturation.json"), saturationJson(sim));
  writeTextAtomic(join(truthDir, "config.json"), JSON.stringify(c, null, 2) + "\n");
  writeTextAtomic(join(truthDir, "truth.hkl"), truthHkl(sim));
  writeTextAtomic(join(truthDir, "geometry.geom"), geometryGeom(sim, "mask.h5"));
  writeTextAtomic(join(truthDir, "lyso.cell"), cellFile(sim));
  writeTextAtomic(join(truthDir, "truth.sol"), truthSol(sim));
  await writeMaskFile(join(truthDir, "mask.h5"), sim.deadMask, c.nSs, c.nFs);
  // spots.csv can be large: written in pieces
  const spotsPath = join(truthDir, "spots.csv");
  const tmp = `${spotsPath}.tmp-${process.pid}`;
  const fd = openSync(tmp, "w");
  try {
    writeSync(fd, SPOTS_CSV_HEADER + "\n");
    for (let i = 0; i < sim.nShots; i++) {
      const rows = spotsCsvRows(sim, i, opts.spotsMinCounts ?? 1);
      if (rows) writeSync(fd, rows);
    }
    closeSync(fd);
    renameSync(tmp, spotsPath);
  } catch (e) {
    try { closeSync(fd); } catch { /* closed */ }
    rmSync(tmp, { force: true });
    throw new Error(`writing ${spotsPath}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
  return { sim, files: written, listPath, truthDir };
}
