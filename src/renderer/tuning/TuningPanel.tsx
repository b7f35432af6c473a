/**
 * Live tuning panel (issue #4): peakfinder8, centring and background options. Every change
 * re-analyses the current pattern on the host (tuneAnalyze: frame and masks cached there, analysis in
 * a worker thread). Requests are coalesced: at most one is in flight, changes made meanwhile are merged
 * into the next one, and only the answer to the latest change is shown (request serial).
 * - In the viewer (placement "viewer", a side panel) it follows the viewer's shot and the pattern pane
 *   draws the result as overlays (magenta) beside the stored peaks; the options start from the open
 *   project's centre-peaks step and "Apply to dataset" stores them there and runs that job with a
 *   progress bar.
 * - In the wizard's centre-peaks step (placement "wizard", the pattern pane is hidden there) it draws
 *   its own preview of the frame (read once per shot).
 * "Save as YAML" downloads the diffractem options file.
 */
import { useEffect, useRef, useState } from "react";
import { stringify } from "yaml";
import type { FrameImage, PipelineStepState, TuneResult } from "../../core/api/host-api.ts";
import type { HostClient } from "../api/host-client.ts";
import { debugHook } from "../debug-hook.ts";
import { useApp, useAppStore } from "../state/store.ts";
import { drawTunePreview } from "./tune-preview.ts";
import "./tuning.css";

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

/** The pipeline step whose options the panel edits and whose job "Apply to dataset" runs. */
const STEP = "centre-peaks";

function valuesFrom(base: Readonly<Record<string, unknown>>): Record<string, number | boolean> {
  const v: Record<string, number | boolean> = {};
  const psp = (base["peak_search_params"] ?? {}) as Record<string, unknown>;
  for (const f of TUNING_FIELDS) {
    const raw = f.key.startsWith("peak_search_params.") ? psp[f.key.slice("peak_search_params.".length)] : base[f.key];
    v[f.key] = typeof raw === typeof f.def ? (raw as number | boolean) : f.def;
  }
  return v;
}

interface Request { readonly serial: number; readonly datasetId: string; readonly shot: number; readonly options: Record<string, unknown>; readonly requestedAt: number }

export interface TuningPanelProps {
  readonly host: HostClient;
  /** Default "wizard". */
  readonly placement?: "viewer" | "wizard";
  /** Wizard: the step's options and its apply action. Viewer: both come from the open project. */
  readonly base?: Readonly<Record<string, unknown>>;
  readonly onApply?: (options: Record<string, unknown>) => void;
}

export function TuningPanel({ host, placement = "wizard", base: baseProp, onApply }: TuningPanelProps) {
  const store = useAppStore();
  const ds = useApp((s) => s.dataset);
  const viewerShot = useApp((s) => s.shotIndex);
  const updatedMs = useApp((s) => s.tuneUpdatedMs);
  const inViewer = placement === "viewer";
  const [ownShot, setOwnShot] = useState<number | null>(null);
  const shot = inViewer ? viewerShot : ownShot ?? viewerShot;
  const [step, setStep] = useState<PipelineStepState | null>(null);
  const [hasProject, setHasProject] = useState(false);
  const base = baseProp ?? step?.options ?? {};
  const baseJson = JSON.stringify(base); // the host sends a new object on every poll
  const [values, setValues] = useState<Record<string, number | boolean>>(() => valuesFrom(base));
  const edited = useRef(false);
  const [res, setRes] = useState<TuneResult | null>(null);
  const [err, setErr] = useState<string | null>(null);
  const [previewMs, setPreviewMs] = useState<number | null>(null);
  const canvas = useRef<HTMLCanvasElement>(null);
  const serial = useRef(0);
  const inFlight = useRef(false);
  const pending = useRef<Request | null>(null);
  const previewFrame = useRef<FrameImage | null>(null);

  // Viewer: the project's centre-peaks step (options, job progress), kept current by the wizard's events.
  useEffect(() => {
    if (!inViewer) return;
    let alive = true;
    const refresh = (): void => {
      host.pipelineState({}).then((p) => {
        if (!alive) return;
        setHasProject(p.projectPath !== null);
        setStep(p.steps.find((x) => x.step === STEP) ?? null);
      }, () => undefined);
    };
    refresh();
    const off = host.on("pipelineUpdate", () => refresh());
    return () => { alive = false; off(); };
  }, [host, inViewer]);

  // Options arriving from the project (viewer) replace the defaults until the user edits one.
  useEffect(() => { if (!edited.current) setValues(valuesFrom(JSON.parse(baseJson) as Record<string, unknown>)); }, [baseJson]);

  const edit = (key: string, v: number | boolean): void => { edited.current = true; setValues((old) => ({ ...old, [key]: v })); };

  // Sends the pending request unless one is in flight; answers to superseded requests are dropped.
  const pump = (): void => {
    if (inFlight.current || !pending.current) return;
    const req = pending.current;
    pending.current = null;
    inFlight.current = true;
    const needFrame = !inViewer && previewFrame.current?.shotIndex !== req.shot;
    const frameP = needFrame ? host.readFrame({ datasetId: req.datasetId, shotIndex: req.shot }) : Promise.resolve(previewFrame.current);
    Promise.all([host.tuneAnalyze({ datasetId: req.datasetId, shotIndex: req.shot, options: req.options }), frameP]).then(([r, frame]) => {
      inFlight.current = false;
      if (req.serial === serial.current) {
        setRes(r); setErr(null);
        if (inViewer) {
          store.getState().publishTune({ datasetId: req.datasetId, result: r, requestedAt: req.requestedAt, serial: req.serial });
        } else if (frame) {
          previewFrame.current = frame;
          if (canvas.current) drawTunePreview(canvas.current, frame, r);
          const ms = performance.now() - req.requestedAt;
          setPreviewMs(ms);
          debugHook().tune = { serial: req.serial, shot: r.shotIndex, nPeaks: r.nPeaks, centre: r.centre, fs: Array.from(r.fs), ss: Array.from(r.ss), analysisMs: r.analysisMs, hostMs: r.totalMs, roundTripMs: ms, drawnIn: "preview" };
        }
      }
      pump();
    }, (e: unknown) => {
      inFlight.current = false;
      if (req.serial === serial.current) setErr(e instanceof Error ? e.message : String(e));
      pump();
    });
  };

  useEffect(() => {
    if (!ds?.frameShape) return;
    pending.current = {
      serial: ++serial.current, datasetId: ds.datasetId, shot, requestedAt: performance.now(),
      options: { ...(JSON.parse(baseJson) as Record<string, unknown>), ...toOptions(values) },
    };
    pump();
  }, [host, ds, shot, values, baseJson]);

  // Closing the panel clears the overlays.
  useEffect(() => () => { if (inViewer) store.getState().publishTune(null); }, [inViewer, store]);

  if (!ds?.frameShape) return <div className="tuning muted">Live tuning needs a dataset with images open in the viewer.</div>;
  const options = (): Record<string, unknown> => ({ ...base, ...toOptions(values) });
  const download = (): void => {
    const blob = new Blob([stringify(options())], { type: "text/yaml" });
    const a = document.createElement("a");
    a.href = URL.createObjectURL(blob); a.download = "preproc.yaml"; a.click();
    setTimeout(() => URL.revokeObjectURL(a.href), 1000);
  };
  const apply = (): void => {
    if (onApply) { onApply(toOptions(values)); return; }
    void (async () => {
      try {
        await host.pipelineSetOptions({ step: STEP, options: options() });
        const p = await host.pipelineRun({ step: STEP });
        setStep(p.steps.find((x) => x.step === STEP) ?? null);
      } catch (e) { setErr(e instanceof Error ? e.message : String(e)); }
    })();
  };
  const shownMs = inViewer ? updatedMs : previewMs;
  const prog = step?.progress;
  const fmt = (v: number): string => (v >= 0 ? v.toFixed(1) : "–");
  return (
    <div className={`tuning tuning-${placement}`} data-testid="tuning">
      <h3>Live tuning — shot{" "}
        <input type="number" min={0} max={ds.nShots - 1} data-testid="tune-shot" value={shot} onChange={(e) => {
          const v = Math.floor(Number(e.target.value));
          if (!Number.isFinite(v) || v < 0 || v >= ds.nShots) return;
          if (inViewer) store.getState().setShot(v); else setOwnShot(v);
        }} />
        {inViewer ? null : <span className="muted"> (or pick a shot in the Viewer tab)</span>}
      </h3>
      {(["peaks", "centre", "background"] as const).map((g) => (
        <fieldset key={g} className="tune-group"><legend>{g}</legend>
          {TUNING_FIELDS.filter((f) => f.group === g).map((f) => (
            <label key={f.key} title={f.help}><span>{f.label}</span>
              {typeof f.def === "boolean"
                ? <input type="checkbox" data-testid={`tune-${f.key}`} checked={values[f.key] === true} onChange={(e) => edit(f.key, e.target.checked)} />
                : <input type="number" data-testid={`tune-${f.key}`} value={Number(values[f.key])} step="any" onChange={(e) => { const v = Number(e.target.value); if (e.target.value !== "" && Number.isFinite(v)) edit(f.key, v); }} />}
            </label>
          ))}
        </fieldset>
      ))}
      <div data-testid="tune-result" className="tune-result">
        {res ? <>
          <b>{res.nPeaks}</b> peaks · centre ({fmt(res.centre[0])}, {fmt(res.centre[1])}) · analysis {res.analysisMs.toFixed(0)} ms ·{" "}
          <span data-testid="tune-updated">{shownMs !== null ? `updated in ${shownMs.toFixed(0)} ms` : "…"}</span>
          {res.warnings.length > 0 ? <div className="muted">{res.warnings.join("; ")}</div> : null}
        </> : "…"}
      </div>
      <div className="wiz-buttons">
        <button data-testid="tune-apply" onClick={apply} disabled={inViewer && !hasProject} title={inViewer && !hasProject ? "open or create a project in the Wizard tab first" : `store the options in the project's ${STEP} step and run it over the dataset`}>Apply to dataset</button>
        <button data-testid="tune-save" onClick={download}>Save options as YAML</button>
      </div>
      {inViewer && step && (step.status === "running" || prog) ? (
        <div className="tune-progress" data-testid="tune-progress">
          <progress max={prog && prog.total > 0 ? prog.total : 1} value={prog ? prog.done : 0} /> {step.status} {prog ? `${prog.done}/${prog.total} ${prog.note}` : ""}
        </div>
      ) : inViewer && step ? <div className="muted">{STEP}: {step.status}</div> : null}
      {err ? <div className="wiz-error">{err}</div> : null}
      {inViewer ? null : <canvas ref={canvas} className="tune-canvas" data-testid="tune-canvas" style={{ width: "100%", maxWidth: 1100 }} />}
    </div>
  );
}
