/**
 * Merging statistics pane: CC½, CC*, completeness, multiplicity and I/σ vs resolution and vs number
 * of crystals, several runs overlaid, and a Table-1-style card (overall and highest shell).
 */
import { useMemo, type ReactElement } from "react";
import { Plot } from "./Plot.tsx";
import { shellCentreInvNm, type MergingStats, type ShellRow } from "./merging-stats.ts";

const METRICS: readonly { key: keyof ShellRow & keyof import("./merging-stats.ts").CurvePoint; title: string }[] = [
  { key: "ccHalf", title: "CC½" }, { key: "ccStar", title: "CC*" }, { key: "completeness", title: "completeness %" },
  { key: "multiplicity", title: "multiplicity" }, { key: "meanIOverSigma", title: "⟨I/σ⟩" },
];

const dTicks = (runs: readonly MergingStats[]): object => {
  const vals = runs[0]?.shells.map(shellCentreInvNm) ?? [];
  return { title: { text: "resolution (Å)" }, tickvals: vals, ticktext: vals.map((v) => (10 / v).toFixed(2)), gridcolor: "#333a42" };
};

export function MergingStatsPane({ runs }: { runs: readonly MergingStats[] }) {
  const plots = useMemo(() => METRICS.map((m) => ({
    m,
    data: runs.map((r) => ({ type: "scatter", mode: "lines+markers", name: r.label, x: r.shells.map(shellCentreInvNm), y: r.shells.map((s) => s[m.key]) })),
    curve: runs.filter((r) => r.curve.length > 0).map((r) => ({ type: "scatter", mode: "lines+markers", name: r.label, x: r.curve.map((c) => c.crystals), y: r.curve.map((c) => c[m.key]) })),
  })), [runs]);
  const layoutRes = useMemo(() => plots.map((p) => ({ title: { text: `${p.m.title} vs resolution` }, xaxis: dTicks(runs) })), [plots, runs]);
  const layoutCurve = useMemo(() => plots.map((p) => ({ title: { text: `${p.m.title} vs crystals` }, xaxis: { title: { text: "crystals merged" }, gridcolor: "#333a42" } })), [plots]);
  if (runs.length === 0) return null;
  return (
    <div className="stats-pane" data-testid="stats-pane">
      <Table1 runs={runs} />
      <div className="plot-grid">
        {plots.map((p, i) => <Plot key={p.m.key} data={p.data} layout={layoutRes[i]!} height={230} testId={`plot-${p.m.key}`} />)}
      </div>
      {plots.some((p) => p.curve.length > 0) ? (
        <div className="plot-grid">
          {plots.map((p, i) => <Plot key={p.m.key} data={p.curve} layout={layoutCurve[i]!} height={230} testId={`curve-${p.m.key}`} />)}
        </div>
      ) : <p className="muted">Statistics vs number of crystals: run validation with the crystals-curve option.</p>}
    </div>
  );
}

const f = (v: number | null | undefined, d: number): string => (v === null || v === undefined || !Number.isFinite(v) ? "–" : v.toFixed(d));

/** Table-1-style summary: overall value (highest shell in parentheses) per run. */
export function Table1({ runs }: { runs: readonly MergingStats[] }) {
  const row = (label: string, get: (r: ShellRow) => string): ReactElement => (
    <tr><th>{label}</th>{runs.map((r) => { const hi = r.shells[r.shells.length - 1]; return <td key={r.label}>{r.overall ? get(r.overall) : "–"}{hi ? ` (${get(hi)})` : ""}</td>; })}</tr>
  );
  return (
    <table className="table1" data-testid="table1">
      <thead><tr><th />{runs.map((r) => <th key={r.label}>{r.label}</th>)}</tr></thead>
      <tbody>
        {row("Resolution (Å)", (s) => `${f(s.dMaxA, 2)}–${f(s.dMinA, 2)}`)}
        {row("Unique reflections", (s) => String(s.nref))}
        {row("Completeness (%)", (s) => f(s.completeness, 1))}
        {row("Multiplicity", (s) => f(s.multiplicity, 1))}
        {row("⟨I/σ(I)⟩", (s) => f(s.meanIOverSigma, 2))}
        {row("CC½", (s) => f(s.ccHalf, 3))}
        {row("CC*", (s) => f(s.ccStar, 3))}
        {row("Rsplit (%)", (s) => f(s.rsplit, 1))}
      </tbody>
    </table>
  );
}
