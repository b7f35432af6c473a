/**
 * Stream → solution file (diffractem's stream2sol): one .sol entry per crystal of every indexed
 * chunk, with the crystal's a*, b*, c* (nm⁻¹), det_shift (mm) and lattice symbol, so that
 * `indexamajig --indexing=file` (or our integrate) can re-use the orientations.
 */
import type { StreamChunk } from "./stream-types.ts";
import type { SolEntry } from "./sol-file.ts";

/** .sol entries of the crystals of `chunks`, in chunk order. */
export function solEntriesFromChunks(chunks: Iterable<StreamChunk>): SolEntry[] {
  const out: SolEntry[] = [];
  for (const c of chunks) {
    for (const x of c.crystals) {
      out.push({ filename: c.filename, event: c.event, basis: x.basis, detShiftMm: x.detShiftMm, lattice: x.lattice, centering: x.centering, uniqueAxis: x.uniqueAxis });
    }
  }
  return out;
}
