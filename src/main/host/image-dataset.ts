/**
 * What the host needs from an opened image dataset, independent of the reader behind it.
 * Shot indices are rows of the concatenated shot table (axis 0 of every stack, file after file).
 */
import type { Table } from "../../core/dataset/table.ts";
import type { RawFrame } from "../../core/image/frame.ts";

/** CXI peaks of one shot, pixel-centre convention. */
export interface CxiPeaks {
  readonly fs: Float32Array;
  readonly ss: Float32Array;
  readonly intensity: Float32Array;
}

export interface ImageDataset {
  /** Absolute paths of the HDF5 files, in shot-table order. */
  readonly files: readonly string[];
  /** Shot table with at least file, Event, crystal_id, frame (synthesised when absent). */
  readonly shots: Table;
  readonly features: Table | null;
  readonly stackLabel: string | null;
  /** [ss, fs] of the diffraction frames. */
  readonly frameShape: readonly [ss: number, fs: number] | null;
  readonly hasCxiPeaks: boolean;
  readFrame(shotIndex: number): RawFrame;
  readPeaks(shotIndex: number): CxiPeaks | null;
  /** STEM map image of file `fileIndex` [rows, cols], or null. */
  mapImage(fileIndex: number): { data: Float32Array; shape: readonly [rows: number, cols: number]; pixelSizeUm: number | null } | null;
  /** Shot mask of a dataset query; throws an Error with a `position` property on syntax/column errors. */
  query(expr: string): Uint8Array;
  close(): void;
}
