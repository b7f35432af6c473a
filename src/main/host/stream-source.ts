/**
 * A CrystFEL stream for the viewer: helper "formats"' on-disk chunk index (src/main/stream) with
 * chunks parsed on demand and converted to the contract's CrystalInfo (CXI pixel convention).
 */
import type { CrystalInfo } from "../../core/api/host-api.ts";
import type { ChunkLocation, StreamChunk } from "../../core/formats/stream-types.ts";
import { openStream, type StreamFile } from "../stream/stream-index.ts";

export interface ParsedChunk {
  readonly filename: string;
  readonly event: string;
  readonly indexedBy: string;
  readonly hit: boolean | null;
  /** Peaks, CXI convention (CrystFEL − 0.5). */
  readonly peaks: { fs: Float32Array; ss: Float32Array; intensity: Float32Array };
  readonly crystals: CrystalInfo[];
}

export interface ViewerStream {
  readonly path: string;
  readonly geometryText: string | null;
  readonly indexingMethods: string;
  readonly chunks: readonly ChunkLocation[];
  readChunk(i: number): Promise<ParsedChunk>;
  close(): Promise<void>;
}

const toCxi = (a: Float32Array): Float32Array => a.map((v) => v - 0.5);

export function convertChunk(c: StreamChunk): ParsedChunk {
  return {
    filename: c.filename, event: c.event, indexedBy: c.indexedBy, hit: c.hit,
    peaks: { fs: toCxi(c.peaks.fs), ss: toCxi(c.peaks.ss), intensity: c.peaks.intensity },
    crystals: c.crystals.map((x) => {
      const p = x.cellParamsNmDeg;
      return {
        astar: [...x.basis.astar], bstar: [...x.basis.bstar], cstar: [...x.basis.cstar],
        cell: p ? [p[0] * 10, p[1] * 10, p[2] * 10, p[3], p[4], p[5]] : [NaN, NaN, NaN, NaN, NaN, NaN],
        lattice: x.lattice, centering: x.centering, uniqueAxis: x.uniqueAxis,
        resolutionLimitAngstrom: x.resolutionLimitInvNm ? 10 / x.resolutionLimitInvNm : null,
        profileRadiusInvNm: x.profileRadiusInvNm,
        detShiftMm: [x.detShiftMm[0], x.detShiftMm[1]],
        nReflections: x.reflections.count,
        predicted: { fs: toCxi(x.reflections.fs), ss: toCxi(x.reflections.ss), intensity: x.reflections.intensity },
      } satisfies CrystalInfo;
    }),
  };
}

export async function openViewerStream(path: string): Promise<ViewerStream> {
  const s: StreamFile = await openStream(path);
  const methods = [...s.header.preamble, ...s.header.trailer].map((l) => /^Indexing methods selected:\s*(.*)$/.exec(l)?.[1]).find((x) => x !== undefined) ?? "";
  const cache = new Map<number, Promise<ParsedChunk>>();
  return {
    path,
    geometryText: s.header.geometryText,
    indexingMethods: methods.trim(),
    get chunks() { return s.chunks; },
    readChunk(i) {
      let p = cache.get(i);
      if (!p) {
        p = s.readChunk(i).then(convertChunk);
        if (cache.size > 256) cache.delete(cache.keys().next().value as number);
        cache.set(i, p);
        p.catch(() => cache.delete(i));
      }
      return p;
    },
    close: () => s.close(),
  };
}
