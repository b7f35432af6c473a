/**
 * Live tuning panel (issue #4): peakfinder8, centring and background options; every change
 * re-analyses the current pattern on the host (tuneAnalyze) and redraws the preview with the centre
 * crosshair and the found peaks. "Apply to dataset" stores the options in the project and runs the
 * pre-processing job; "Save as YAML" downloads the diffractem options file.
 */
import { useEffect, useRef, useState } from "react";
import { stringify } from "yaml";
import type { TuneResult } from "../../core/api/host-api.ts";
import type { HostClient } from "../api/host-client.ts";
import { useApp } from "../state/store.ts";
import { drawTunePreview } from "./tune-preview.ts";

interface Field { readonly key: string; readonly label: string; readonly help: string; readonly def: number | boolean; readonly group: "peaks" | "centre" | "background" }

/** Keys in diffractem's PreProcOpts; "peak_search_params.*" go into the nested block. */
export const TUNING_FIELDS: readonly Field[] = [
  { key: "peak_search_params.min-snr", label: "min SNR", help: "signal-to-noise threshold of the radial statistics and of peaks", def: 5, group: "peaks" },
  { key: "peak_search_params.threshold", label: "threshold", help: "absolute ADU floor of the pixel threshold", def: 8, group: "peaks" },
  { key: "peak_search_params.min-pix-count", label: "min pixels", help: "smallest peak, px", def: 2, group: "peaks" },
  { key: "peak_search_params.max-pix-count", label: "max pixels", help: "largest peak, px", def: 50, group: "peaks" },
  { key: "peak_search_params.local-bg-radius", label: "local bg radius", help: "local background ring half width, px", def: 3, group: "peaks" },
  { key: "peak_search_params.min-res", label: "min res (px)", help: "inner radius from the centre, px", def: 0, group: "peaks" },
  { key: "peak_search_params.max-res", label: "max res (px)", help: "outer radius from the centre, px", def: 1200, group: "peaks" },
  { key: "com_threshold", label: "CoM threshold", help: "fraction of the maximum for the centre of mass", def: 0.9, group: "centre" },
  { key: "lorentz_radius", label: "Lorentz radius", help: "direct-beam fit window half size, px", def: 30, group: "centre" },
  { key: "friedel_refine", label: "Friedel refine", help: "refine the centre from Friedel pairs", def: true, group: "centre" },
  { key: "bg_peak_radius", label: "bg peak radius", help: "peak disk masked in the radial background, px", def: 3, group: "background" },
  { key: "bg_filter_len", label: "bg filter length", help: "median filter length of the radial profile", def: 5, group: "background" },
];

/** Flat key → nested diffractem options object. */
export function toOptions(values: Readonly<Record<string, number | boolean>>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const psp: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(values)) {
    if (k.startsWith("peak_search_params.")) psp[k.slice("peak_search_params.".length)] = v; else out[k] = v;
  }
  if (Object.keys(psp).length > 0) out["peak_search_params"] = psp;
  return out;
}

export function TuningPanel({ host, base, onApply }: { host: HostClient; base: Readonly<Record<string, unknown>>; onApply: (options: Record<string, unknown>) => void }) {
  const ds = useApp((s) => s.dataset);
  const viewerShot = useApp((s) => s.shotIndex);
  const [ownShot, setOwnShot] = useState<number | null>(null);
  const shot = ownShot ?? viewerShot;
  const [values, setValues] = useState<Record<string, number | boolean>>(() => {
    const v: Record<string, number | boolean> = {};
    const psp = (base["peak_search_params"] ?? {}) as Record<string, unknown>;
    for (const f of TUNING_FIELDS) {
      const raw = f.key.startsWith("peak_search_params.") ? psp[f.key.slice(19)] : base[f.key];
      v[f.key] = typeof raw === typeof f.def ? (raw as number | boolean) : f.def;
    }
    return v;
  });
  const [res, setRes] = useState<TuneResult | null>(null);
  const [err, setErr] = useState<string | null>(null);
  const [roundTrip, setRoundTrip] = useState<number | null>(null);
  const canvas = useRef<HTMLCanvasElement>(null);
  const seq = useRef(0);

  const baseJson = JSON.stringify(base); // the host sends a new object on every poll
  useEffect(() => {
    if (!ds?.frameShape) return;
    const my = ++seq.current;
    const t0 = performance.now();
    const opts = { ...(JSON.parse(baseJson) as Record<string, unknown>), ...toOptions(values) };
    Promise.all([host.tuneAnalyze({ datasetId: ds.datasetId, shotIndex: shot, options: opts }), host.readFrame({ datasetId: ds.datasetId, shotIndex: shot })])
      .then(([r, frame]) => {
        if (my !== seq.current) return;
        setRes(r); setErr(null); setRoundTrip(performance.now() - t0);
        if (canvas.current) drawTunePreview(canvas.current, frame, r);
        (window as unknown as { __serialedTune?: unknown }).__serialedTune = { shot, nPeaks: r.nPeaks, centre: r.centre, analysisMs: r.analysisMs, roundTripMs: performance.now() - t0 };
      }, (e: unknown) => { if (my === seq.current) setErr(e instanceof Error ? e.message : String(e)); });
  }, [host, ds, shot, values, baseJson]);

  if (!ds?.frameShape) return <div className="tuning muted">Live tuning needs a dataset with images open in the viewer.</div>;
  const download = (): void => {
    const blob = new Blob([stringify({ ...base, ...toOptions(values) })], { type: "text/yaml" });
    const a = document.createElement("a");
    a.href = URL.createObjectURL(blob); a.download = "preproc.yaml"; a.click();
    setTimeout(() => URL.revokeObjectURL(a.href), 1000);
  };
  return (
    <div className="tuning" data-testid="tuning">
      <h3>Live tuning — shot <input type="number" min={0} max={ds.nShots - 1} data-testid="tune-shot" value={shot} onChange={(e) => { const v = Math.floor(Number(e.target.value)); if (Number.isFinite(v) && v >= 0 && v < ds.nShots) setOwnShot(v); }} /> <span className="muted">(or pick a shot in the Viewer tab)</span></h3>
      {(["peaks", "centre", "background"] as const).map((g) => (
        <div key={g}><b>{g}:</b>{" "}
          {TUNING_FIELDS.filter((f) => f.group === g).map((f) => (
            <label key={f.key} title={f.help}>{f.label}{" "}
              {typeof f.def === "boolean"
                ? <input type="checkbox" checked={values[f.key] === true} onChange={(e) => setValues({ ...values, [f.key]: e.target.checked })} />
                : <input type="number" data-testid={`tune-${f.key}`} value={Number(values[f.key])} step="any" onChange={(e) => { const v = Number(e.target.value); if (Number.isFinite(v)) setValues({ ...values, [f.key]: v }); }} />}
            </label>
          ))}
        </div>
      ))}
      <div className="wiz-buttons">
        <button data-testid="tune-apply" onClick={() => onApply(toOptions(values))}>Apply to dataset</button>
        <button onClick={download}>Save options as YAML</button>
        <span data-testid="tune-result">{res ? `${res.nPeaks} peaks · centre (${res.centre[0].toFixed(1)}, ${res.centre[1].toFixed(1)}) · analysis ${res.analysisMs.toFixed(0)} ms · round trip ${roundTrip?.toFixed(0) ?? "–"} ms` : "…"}</span>
      </div>
      {err ? <div className="wiz-error">{err}</div> : null}
      <canvas ref={canvas} className="tune-canvas" data-testid="tune-canvas" style={{ width: "100%", maxWidth: 1100 }} />
    </div>
  );
}
