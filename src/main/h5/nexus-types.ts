/**
 * What a diffractem/NeXus file holds, as the writer takes it and the reader returns it
 * (layout: ../shared/spec/data-model.md §2). The writer lives in ./writer.ts, the reader in ./reader.ts.
 */
import type { Table } from "../../core/dataset/table.ts";
import type { NumericArray } from "../../core/image/frame.ts";

export type Compression = "lz4" | "bitshuffle-lz4" | "gzip" | "none";

/** A stack to write: axis 0 = shot. Frames are produced one at a time (bounded memory). */
export interface StackToWrite {
  /** Full shape, e.g. [nShots, 516, 1556] or [nShots, maxPeaks] or [nShots]. */
  readonly shape: readonly number[];
  /** numpy-style dtype: "<u2", "<i4", "<f4", "<f8", "<i8". */
  readonly dtype: string;
  readonly compression?: Compression;
  /** Data of shot i (length = product of shape[1:]). */
  getShot(i: number): NumericArray | Promise<NumericArray>;
}

export interface NexusFileContent {
  /** Group name, normally "entry". */
  readonly subset: string;
  /** Shot table rows of this file (written to /%/shots). */
  readonly shots: Table;
  /** Feature table (written to /%/map/features). */
  readonly features?: Table;
  /** Stacks under /%/data/<label>. */
  readonly stacks: ReadonlyMap<string, StackToWrite>;
  /** Label of the diffraction stack (the `signal` attribute of /%/data). */
  readonly signal?: string;
  /** STEM map image [rows, cols], float32; stored at /%/instrument_map/STEM_Image/data, linked from /%/map/image. */
  readonly mapImage?: { readonly data: Float32Array; readonly shape: readonly [rows: number, cols: number]; readonly pixelSizeUm?: number };
  /** /%/sample/{name,region_id,run_id}. */
  readonly sample?: { readonly name: string; readonly regionId: number; readonly runId: number };
  /** Scalar metadata under /%/instrument/..., keys are paths relative to that group. */
  readonly instrument?: ReadonlyMap<string, number | string>;
}
