/**
 * Ellipticity & cell pane: polar histograms of all peaks (radius × azimuth) before and after the
 * ellipticity correction side by side, the radial profile, the virtual powder and pair-distance
 * curves with the picked peaks and the refined cell's lines, and the refined cell ± uncertainties.
 */
import { useMemo } from "react";
import type { GeometryPlots } from "../../core/api/host-api.ts";
import { Plot } from "./Plot.tsx";

function rows(counts: Float64Array, nR: number, nAz: number): number[][] {
  const z: number[][] = [];
  for (let r = 0; r < nR; r++) z.push(Array.from(counts.subarray(r * nAz, (r + 1) * nAz)));
  return z;
}

const vlines = (xs: Float64Array, color: string, dash: string): object[] =>
  Array.from(xs, (x) => ({ type: "line", xref: "x", yref: "paper", x0: x, x1: x, y0: 0, y1: 1, line: { color, width: 1, dash } }));

const fmt = (v: number, d: number): string => (Number.isFinite(v) ? v.toFixed(d) : "–");

export function GeometryPane({ g }: { g: GeometryPlots }) {
  const p = useMemo(() => {
    const heat = (counts: Float64Array) => [{ type: "heatmap", x: Array.from(g.azimuthDeg), y: Array.from(g.radiusPx), z: rows(counts, g.nR, g.nAz), colorscale: "Viridis", showscale: false }];
    const axes = { xaxis: { title: { text: "azimuth (°)" } }, yaxis: { title: { text: "radius (px)" } } };
    return {
      before: heat(g.before), after: heat(g.after),
      lBefore: { title: { text: "before correction" }, ...axes },
      lAfter: { title: { text: `after: ratio ${fmt(g.ratio, 4)} ± ${fmt(g.ratioSigma, 4)}, axis ${fmt(g.angleDeg, 1)} ± ${fmt(g.angleSigmaDeg, 1)}°` }, ...axes },
      profile: [
        { type: "scatter", mode: "lines", name: "before", x: Array.from(g.radiusPx), y: Array.from(g.profileBefore) },
        { type: "scatter", mode: "lines", name: "after", x: Array.from(g.radiusPx), y: Array.from(g.profileAfter) },
      ],
      lProfile: { title: { text: "radial profile of the peaks" }, xaxis: { title: { text: "radius (px)" } } },
      powder: [{ type: "scatter", mode: "lines", name: "virtual powder", x: Array.from(g.powderX), y: Array.from(g.powderY) }],
      lPowder: { title: { text: "powder (solid: peaks, dashed: cell)" }, xaxis: { title: { text: "1/d (nm⁻¹)" } }, shapes: [...vlines(g.powderPeaks, "#ffb74d", "solid"), ...vlines(g.cellLines, "#81c784", "dash")] },
      pairs: [{ type: "scatter", mode: "lines", name: "pair distances", x: Array.from(g.pairsX), y: Array.from(g.pairsY) }],
      lPairs: { title: { text: "pair distances (dashed: cell)" }, xaxis: { title: { text: "|Δ| (nm⁻¹)" } }, shapes: [...vlines(g.pairPeaks, "#ffb74d", "solid"), ...vlines(g.cellLines, "#81c784", "dash")] },
    };
  }, [g]);
  const names = ["a", "b", "c", "α", "β", "γ"];
  const sig = (i: number): string => { const k = ["a", "b", "c", "al", "be", "ga"][i]!; const s = g.cellParams.find((q) => q.name === k)?.sigma; return typeof s === "number" && Number.isFinite(s) ? ` ± ${s.toFixed(i < 3 ? 3 : 2)}` : ""; };
  return (
    <div data-testid="geometry-pane">
      <p>{g.nPeaks} peaks of {g.nPatterns} patterns · ellipticity ratio <b data-testid="ell-ratio">{fmt(g.ratio, 4)}</b> ± {fmt(g.ratioSigma, 4)}, axis angle <b>{fmt(g.angleDeg, 1)}°</b> ± {fmt(g.angleSigmaDeg, 1)}°</p>
      <div className="plot-grid two">
        <Plot data={p.before} layout={p.lBefore} height={300} testId="polar-before" />
        <Plot data={p.after} layout={p.lAfter} height={300} testId="polar-after" />
      </div>
      <div className="plot-grid">
        <Plot data={p.profile} layout={p.lProfile} height={240} testId="radial-profile" />
        <Plot data={p.powder} layout={p.lPowder} height={240} testId="powder" />
        <Plot data={p.pairs} layout={p.lPairs} height={240} testId="pairs" />
      </div>
      {g.cell ? (
        <p data-testid="refined-cell">Refined cell: {g.cell.map((v, i) => `${names[i]} = ${v.toFixed(i < 3 ? 2 : 1)}${sig(i)}${i < 3 ? " Å" : "°"}`).join(", ")}</p>
      ) : <p className="muted">No starting cell given (geometry option “starting cell”): the cell is not refined.</p>}
    </div>
  );
}
