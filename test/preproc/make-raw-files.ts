/** Writes simulated raw files (diffractem layout, uint16 LZ4 `raw_counts`) for pre-processing tests. */
import { join } from "node:path";
import { createSimulation } from "../../src/core/sim/simulation.ts";
import type { Simulation } from "../../src/core/sim/simulation.ts";
import type { SimConfig } from "../../src/core/sim/config.ts";
import { writeNexusFile } from "../../src/main/h5/writer.ts";

export async function writeRawFiles(dir: string, config: Partial<SimConfig>): Promise<{ sim: Simulation; paths: string[] }> {
  const sim = createSimulation(config);
  const paths: string[] = [];
  for (const f of sim.files) {
    const path = join(dir, f.name);
    const c = sim.config;
    await writeNexusFile(path, {
      subset: "entry", shots: f.shots, features: f.features, signal: "raw_counts",
      stacks: new Map([["raw_counts", { shape: [f.shotCount, c.nSs, c.nFs], dtype: "<u2", compression: "lz4" as const, getShot: (i: number) => sim.renderShot(f.shotStart + i) }]]),
      mapImage: { data: sim.mapImage(f.index), shape: [c.mapSizePx, c.mapSizePx] },
      sample: { name: c.sampleName, regionId: f.region, runId: f.run },
    });
    paths.push(path);
  }
  return { sim, paths };
}
