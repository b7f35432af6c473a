/**
 * Per-crystal plots of a merging run (scale, relative B, ΔCC½, observations) from the merge CSV;
 * clicking a crystal calls `onOpen` with its event number (shot of the processed file).
 */
import { useMemo } from "react";
import { Plot } from "./Plot.tsx";
import { parseCsv } from "./merging-stats.ts";

const unq = (s: string): string => s.replace(/^"|"$/g, "");

export function CrystalPlots({ csv, onOpen }: { csv: string; onOpen?: (event: number) => void }) {
  const cols = useMemo(() => parseCsv(csv), [csv]);
  const idx = (cols["crystal"] ?? []).map(Number);
  const labels = (cols["label"] ?? []).map(unq);
  const event = labels.map((l) => { const m = /\/\/(\d+)/.exec(l); return m ? Number(m[1]) : -1; });
  const included = (cols["included"] ?? []).map((v) => v === "1" || v === "true");
  const series = (key: string, title: string) => ({
    key, title,
    data: [{ type: "scatter", mode: "markers", x: idx, y: (cols[key] ?? []).map(Number), customdata: event, text: labels, marker: { color: included.map((i) => (i ? "#4fc3f7" : "#ef5350")), size: 7 }, hovertemplate: "crystal %{x}<br>%{y}<br>%{text}<extra></extra>" }],
    layout: { title: { text: title }, xaxis: { title: { text: "crystal" }, gridcolor: "#333a42" } },
  });
  const plots = useMemo(() => [series("scale", "scale G"), series("bFactorA2", "relative B (Å²)"), series("deltaCcHalf", "ΔCC½"), series("observations", "reflections")], [csv]); // series reads cols, derived from csv
  return (
    <div className="plot-grid" data-testid="crystal-plots">
      {plots.map((p) => <Plot key={p.key} data={p.data} layout={p.layout} height={220} {...(onOpen ? { onClick: (v: unknown) => { if (typeof v === "number" && v >= 0) onOpen(v); } } : {})} />)}
    </div>
  );
}
