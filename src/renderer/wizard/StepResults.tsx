/** Result section of a wizard step: plots for the step's latest run, its output files and log. */
import { useMemo } from "react";
import { useStore } from "zustand";
import type { HostClient } from "../api/host-client.ts";
import { CrystalPlots } from "../plots/CrystalPlots.tsx";
import { MergingStatsPane } from "../plots/MergingStatsPane.tsx";
import { parseStatsJson, type MergingStats } from "../plots/merging-stats.ts";
import type { WizardStore } from "./wizard-slice.ts";

export function StepResults({ store, step, onOpenShot }: { host: HostClient; store: WizardStore; step: string; onOpenShot?: (shot: number) => void }) {
  const r = useStore(store, (s) => s.results[step]);
  const stats = useMemo((): MergingStats[] => {
    if (!r?.statsJson) return [];
    try { return [parseStatsJson(r.statsJson, r.runId ?? step)]; } catch { return []; }
  }, [r, step]);
  if (!r || r.runId === null) return null;
  return (
    <div className="wiz-results" data-testid={`results-${step}`}>
      <h3>Results of {r.runId}</h3>
      {stats.length > 0 ? <MergingStatsPane runs={stats} /> : null}
      {r.crystalsCsv ? <CrystalPlots csv={r.crystalsCsv} {...(onOpenShot ? { onOpen: onOpenShot } : {})} /> : null}
      {r.files.length > 0 ? (
        <ul className="wiz-files" data-testid={`files-${step}`}>{r.files.map((f) => <li key={f}><code>{f}</code></li>)}</ul>
      ) : null}
      {r.log ? <details open={step === "import"}><summary>log</summary><pre className="wiz-log">{r.log}</pre></details> : null}
    </div>
  );
}
