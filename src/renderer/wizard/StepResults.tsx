/** Result section of a wizard step: plots for the step's latest run, its output files and log. */
import { useEffect, useMemo, useState } from "react";
import type { GeometryPlots } from "../../core/api/host-api.ts";
import { GeometryPane } from "../plots/GeometryPane.tsx";
import { IndexingRatePlot } from "../plots/IndexingRatePlot.tsx";
import { useStore } from "zustand";
import type { HostClient } from "../api/host-client.ts";
import { CrystalPlots } from "../plots/CrystalPlots.tsx";
import { MergingStatsPane } from "../plots/MergingStatsPane.tsx";
import { parseStatsJson, type MergingStats } from "../plots/merging-stats.ts";
import type { WizardStore } from "./wizard-slice.ts";

export function StepResults({ host, store, step, onOpenShot }: { host: HostClient; store: WizardStore; step: string; onOpenShot?: (shot: number) => void }) {
  const r = useStore(store, (s) => s.results[step]);
  const stats = useMemo((): MergingStats[] => {
    if (!r?.statsJson) return [];
    const out: MergingStats[] = [];
    for (const [json, label] of [[r.statsJson, r.runId ?? step], ...r.statsHistory.map((h) => [h.json, h.label] as const)] as const) {
      try { out.push(parseStatsJson(json, label)); } catch { /* not a stats table */ }
    }
    return out;
  }, [r, step]);
  const pre = useStore(store, (s) => s.pipeline?.steps.find((x) => x.step === "centre-peaks")?.lastRun);
  const preDone = pre?.state === "done" ? pre.id : null;
  const [geo, setGeo] = useState<GeometryPlots | string | null>(null);
  useEffect(() => {
    if (step !== "geometry" || !preDone) return;
    let alive = true;
    setGeo(null);
    host.pipelineGeometry({}).then((g) => { if (alive) setGeo(g); }, (e: unknown) => { if (alive) setGeo(e instanceof Error ? e.message : String(e)); });
    return () => { alive = false; };
  }, [host, step, preDone]);
  const geoPane = step === "geometry" ? (typeof geo === "string" ? <div className="wiz-error">{geo}</div> : geo ? <GeometryPane g={geo} /> : preDone ? <p className="muted">computing the polar histograms…</p> : null) : null;
  if (!r || r.runId === null) return geoPane;
  return (
    <div className="wiz-results" data-testid={`results-${step}`}>
      <h3>Results of {r.runId}</h3>
      {geoPane}
      {r.text ? <p data-testid={`summary-${step}`}>{r.text}</p> : null}
      {r.crystalsPerChunk && r.crystalsPerChunk.length > 0 ? <div className="plot-grid"><IndexingRatePlot perChunk={r.crystalsPerChunk} /></div> : null}
      {stats.length > 0 ? <MergingStatsPane runs={stats} /> : null}
      {r.crystalsCsv ? <CrystalPlots csv={r.crystalsCsv} {...(onOpenShot ? { onOpen: onOpenShot } : {})} /> : null}
      {r.files.length > 0 ? (
        <ul className="wiz-files" data-testid={`files-${step}`}>{r.files.map((f) => <li key={f}><code>{f}</code></li>)}</ul>
      ) : null}
      {r.log ? <details open={step === "import"}><summary>log</summary><pre className="wiz-log">{r.log}</pre></details> : null}
    </div>
  );
}
