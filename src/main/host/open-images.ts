/** Opens image files for the viewer through helper "data"'s openDataset and adapts it to ImageDataset. */
import { resolve } from "node:path";
import { evaluateQuery, QueryError } from "../../core/dataset/query.ts";
import { withColumn } from "../../core/dataset/table-ops.ts";
import { openDataset } from "../dataset/open-dataset.ts";
import { getH5 } from "../h5/h5wasm-init.ts";
import type { ImageDataset } from "./image-dataset.ts";

export async function openImageDataset(files: readonly string[]): Promise<ImageDataset> {
  const od = await openDataset(files);
  const ds = od.dataset;
  const label = od.diffStackLabel ?? null;
  const stack = label ? ds.stacks.get(label) : undefined;
  // Map pixel size: attribute pixel_size_um of the map image (written by src/main/h5/writer.ts).
  const h5 = await getH5();
  const mapUm = ds.files.map((f) => {
    if (!f.mapImageShape) return null;
    let file: InstanceType<typeof h5.File> | null = null;
    try {
      file = new h5.File(f.path, "r");
      const d = file.get(`/${f.subset}/map/image`) as { attrs?: Record<string, { value: unknown }> } | null;
      const v = d?.attrs?.["pixel_size_um"]?.value;
      const n = ArrayBuffer.isView(v) ? Number((v as unknown as ArrayLike<number>)[0]) : typeof v === "number" ? v : NaN;
      return Number.isFinite(n) && n > 0 ? n : null;
    } catch {
      return null;
    } finally {
      file?.close();
    }
  });
  const shape = stack && stack.shotShape.length === 2 ? ([stack.shotShape[0]!, stack.shotShape[1]!] as const) : null;
  const hasCxiPeaks = ds.stacks.has("nPeaks") && ds.stacks.has("peakXPosRaw") && ds.stacks.has("peakYPosRaw");
  // Peak counts as a queryable column (e.g. `num_peaks >= 15`) when only the nPeaks stack has them.
  let shots = ds.shots;
  if (hasCxiPeaks && !shots.columns.has("num_peaks") && shots.length <= 200_000) {
    const n = new Float64Array(shots.length);
    for (let i = 0; i < n.length; i++) n[i] = Number(od.readStackRow("nPeaks", i).data[0] ?? NaN);
    shots = withColumn(shots, "num_peaks", { type: "int", data: n });
  }
  return {
    files: ds.files.map((f) => resolve(f.path)),
    shots,
    features: ds.features.length > 0 ? ds.features : null,
    stackLabel: shape ? label : null,
    frameShape: shape,
    hasCxiPeaks,
    readFrame: (i) => od.readFrame(label!, i),
    readPeaks: (i) => {
      const p = od.readPeaks(i);
      return p ? { fs: p.fsPx, ss: p.ssPx, intensity: p.intensity } : null;
    },
    mapImage: (fileIndex) => {
      const m = od.mapImage(fileIndex);
      if (!m) return null;
      return { data: m.data, shape: m.shape, pixelSizeUm: mapUm[fileIndex] ?? null };
    },
    query: (expr) => {
      try {
        return evaluateQuery(shots, expr);
      } catch (e) {
        if (e instanceof QueryError) throw e; // carries .position
        throw Object.assign(new Error(e instanceof Error ? e.message : String(e)), { position: 0 });
      }
    },
    close: () => od.close(),
  };
}
