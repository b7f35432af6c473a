/** `serialed index`: built-in electron indexer + ring integration → CrystFEL stream and .sol. */
import { commonOptionsHelp, runIndexCli } from "../../indexing/index-cli.ts";

export const summary = "Index electron stills with the built-in engine and integrate → .stream (+ .sol)";
export const usage = `Usage: serialed index --geom g.geom --cell c.cell --out run.stream [--sol run.sol] [options] INPUT…

For every shot of the INPUT HDF5 files (CXI peak arrays nPeaks/peakXPosRaw/peakYPosRaw/
peakTotalIntensity in the geometry's peak_list group) with at least --min-peaks peaks, searches
the crystal orientation given the cell (pairs of low-resolution peaks matched to lattice-vector
pairs, then weighted least-squares refinement of orientation, beam-centre shift and cell lengths),
accepts lattices by matched peaks, looks for further lattices among the unmatched peaks, predicts
reflections (excitation error ≤ 2× profile radius) and integrates them by ring summation on the
frames (the geometry's data path). Writes a CrystFEL 2.3 stream readable by partialator and, with
--sol, a solution file for indexamajig --indexing=file. Ctrl-C stops cleanly; --resume continues.

Options:
${commonOptionsHelp}
  --sol FILE             also write the solutions (.sol: a*, b*, c* nm⁻¹, refined det shift mm, lattice)
  --match-tol T          in-plane peak match tolerance, nm⁻¹ (default 0.02 ≈ 1.4 px at 1.58 m)
  --min-fraction F       accept a lattice matching at least this fraction of peaks (default 0.25)
  --max-lattices N       lattices per pattern (default 3)
  --seed-peaks N         low-resolution peaks used to seed the search (default 12)
  --no-refine-cell       keep the cell fixed (refine orientation and centre only)
`;

export function run(args: string[]): Promise<number> {
  return runIndexCli(args, "index", usage);
}
