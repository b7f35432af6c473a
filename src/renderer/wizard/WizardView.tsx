/**
 * The guided processing wizard: project chooser, the steps in order with their status
 * (up to date / out of date / running / failed), and for the selected step its inputs, options with
 * explanations, Run button, job progress, result plots and log. Everything runs on the host
 * (pipeline-service.ts) through the same pipeline driver as `serialed run`.
 */
import { useEffect, useMemo, useState } from "react";
import { useStore } from "zustand";
import type { PipelineStepState } from "../../core/api/host-api.ts";
import type { HostClient } from "../api/host-client.ts";
import { TuningPanel } from "../tuning/TuningPanel.tsx";
import { ExecutionPanel } from "./ExecutionPanel.tsx";
import { StepResults } from "./StepResults.tsx";
import { crystfelPrograms, optionVisible, parseOptionValue, STEP_INFO, stepInfo, stepOptions, type OptionInfo } from "./step-info.ts";
import { createWizardStore, type WizardStore } from "./wizard-slice.ts";
import "./wizard.css";

const STATUS_LABEL: Record<string, string> = { "never-run": "not run", "up-to-date": "up to date", stale: "out of date", running: "running", failed: "failed" };

export function WizardView({ host, onOpenShot }: { host: HostClient; onOpenShot?: (shot: number) => void }) {
  const store = useMemo(() => createWizardStore(), []);
  const pipeline = useStore(store, (s) => s.pipeline);
  const error = useStore(store, (s) => s.error);

  useEffect(() => {
    let alive = true;
    const refresh = async (): Promise<void> => {
      try {
        const p = await host.pipelineState({});
        if (!alive) return;
        store.getState().setPipeline(p);
      } catch (e) { store.getState().setError(e instanceof Error ? e.message : String(e)); }
    };
    void refresh();
    const off = host.on("pipelineUpdate", (ev) => {
      store.getState().setLastEvent(ev.step, ev.kind === "progress" ? `${ev.done}/${ev.total} ${ev.message}` : ev.message);
      void refresh();
      if (ev.kind === "finish" || ev.kind === "done") void loadResult(host, store, ev.step);
    });
    // reconnect / missed events: poll slowly
    const t = setInterval(() => void refresh(), 2000);
    // test/debug hook: the latest pipeline state
    const unsub = store.subscribe((s) => { (window as unknown as { __serialedWizard?: unknown }).__serialedWizard = s.pipeline; });
    return () => { alive = false; off(); clearInterval(t); unsub(); };
  }, [host, store]);

  return (
    <div className="wizard" data-testid="wizard">
      {error ? <div className="wiz-error" data-testid="wizard-error" onClick={() => store.getState().setError(null)}>{error}</div> : null}
      {!pipeline ? <p className="muted">connecting…</p> : pipeline.projectPath === null ? <ProjectChooser host={host} store={store} /> : <Steps host={host} store={store} {...(onOpenShot ? { onOpenShot } : {})} />}
    </div>
  );
}

async function loadResult(host: HostClient, store: WizardStore, step: string): Promise<void> {
  try { store.getState().setResult(await host.pipelineResult({ step })); } catch (e) { store.getState().setError(e instanceof Error ? e.message : String(e)); }
}

function ProjectChooser({ host, store }: { host: HostClient; store: WizardStore }) {
  const p = useStore(store, (s) => s.pipeline)!;
  const [path, setPath] = useState(p.suggestedPath ?? "");
  const act = async (create: boolean): Promise<void> => {
    try { store.getState().setPipeline(await host.pipelineOpen({ path, create })); store.getState().setError(null); } catch (e) { store.getState().setError(e instanceof Error ? e.message : String(e)); }
  };
  return (
    <div className="wiz-chooser">
      <h2>Processing project</h2>
      <p>A project is a folder with <code>project.yaml</code> (inputs, every step's options, the history of runs) and one folder per run. A new project takes the dataset opened in the viewer as its input.</p>
      <label>Project folder or project.yaml <input data-testid="project-path" value={path} onChange={(e) => setPath(e.target.value)} size={80} /></label>
      <div className="wiz-buttons">
        <button data-testid="project-create" onClick={() => void act(true)}>Create / open</button>
        <button onClick={() => void act(false)}>Open existing</button>
      </div>
    </div>
  );
}

function Steps({ host, store, onOpenShot }: { host: HostClient; store: WizardStore; onOpenShot?: (shot: number) => void }) {
  const p = useStore(store, (s) => s.pipeline)!;
  const step = useStore(store, (s) => s.step);
  const cur = p.steps.find((s) => s.step === step);
  useEffect(() => { void loadResult(host, store, step); }, [host, store, step, cur?.lastRun?.id, cur?.lastRun?.state]);
  return (
    <div className="wiz-layout">
      <nav className="wiz-steps">
        <div className="wiz-project" title={p.projectPath ?? ""}>{p.name} <span className="muted">{p.projectPath}</span></div>
        {STEP_INFO.map((info, i) => {
          const st = p.steps.find((s) => s.step === info.step);
          return (
            <button key={info.step} data-testid={`step-${info.step}`} className={`wiz-step ${info.step === step ? "sel" : ""}`} onClick={() => store.getState().setStep(info.step)}>
              <span className="num">{i + 1}</span> {info.title}
              <span className={`badge ${st?.status ?? "never-run"}`} data-testid={`status-${info.step}`}>{STATUS_LABEL[st?.status ?? "never-run"]}</span>
            </button>
          );
        })}
      </nav>
      {cur ? <StepPanel key={step} host={host} store={store} st={cur} {...(onOpenShot ? { onOpenShot } : {})} /> : null}
    </div>
  );
}

function optionText(v: unknown): string | boolean {
  if (typeof v === "boolean") return v;
  if (v === undefined || v === null) return "";
  return typeof v === "object" ? JSON.stringify(v) : String(v);
}

function StepPanel({ host, store, st, onOpenShot }: { host: HostClient; store: WizardStore; st: PipelineStepState; onOpenShot?: (shot: number) => void }) {
  const info = stepInfo(st.step);
  const engine = st.engine ?? "builtin";
  // the option set of the step's engine (CrystFEL's program options with engine: crystfel)
  const options = stepOptions(st.step, engine);
  const p = useStore(store, (s) => s.pipeline)!;
  const last = useStore(store, (s) => s.lastEvent[st.step]);
  const initialForm = (): Record<string, string | boolean> => Object.fromEntries(options.map((o) => [o.key, optionText(st.options[o.key])]));
  const [form, setForm] = useState<Record<string, string | boolean>>(initialForm);
  const [formEngine, setFormEngine] = useState(engine);
  if (formEngine !== engine) { setFormEngine(engine); setForm(initialForm()); } // engine switched: that engine's options (converted by the host)
  const running = p.active !== null;
  const dirty = options.some((o) => form[o.key] !== optionText(st.options[o.key]));
  const err = (e: unknown): void => store.getState().setError(e instanceof Error ? e.message : String(e));

  const save = async (): Promise<boolean> => {
    try {
      const opts: Record<string, unknown> = { ...st.options };
      for (const o of options) {
        const v = parseOptionValue(o, form[o.key] ?? "");
        if (v === undefined) delete opts[o.key]; else opts[o.key] = v;
      }
      store.getState().setPipeline(await host.pipelineSetOptions({ step: st.step, options: opts }));
      return true;
    } catch (e) { err(e); return false; }
  };
  const run = async (): Promise<void> => {
    if (dirty && !(await save())) return;
    try { store.getState().setPipeline(await host.pipelineRun({ step: st.step })); } catch (e) { err(e); }
  };
  const applyTuning = async (tuned: Record<string, unknown>): Promise<void> => {
    try {
      store.getState().setPipeline(await host.pipelineSetOptions({ step: st.step, options: { ...st.options, ...tuned } }));
      store.getState().setPipeline(await host.pipelineRun({ step: st.step }));
    } catch (e) { err(e); }
  };
  const prog = st.progress;
  const pct = prog && prog.total > 0 ? Math.min(100, (100 * prog.done) / prog.total) : st.status === "up-to-date" ? 100 : 0;
  const other = Object.entries(st.options).filter(([k]) => !k.startsWith("_") && !options.some((o) => o.key === k));
  const aside = Object.entries(st.options).filter(([k]) => k.startsWith("_"));
  const programs = crystfelPrograms(st.step);
  return (
    <section className="wiz-panel" data-testid="step-panel">
      <h2>{info.title} <span className={`badge ${st.status}`}>{STATUS_LABEL[st.status]}</span></h2>
      <p className="purpose">{info.purpose}</p>
      <div className="wiz-inputs"><b>Inputs:</b> {st.step === "import" ? p.inputs.join(", ") : `outputs of the previous steps (${STEP_INFO[Math.max(0, STEP_INFO.findIndex((x) => x.step === st.step) - 1)]!.title})`}</div>
      {st.custom ? <div className="muted">This step runs a custom command from project.yaml.</div> : null}
      {engine === "crystfel" && programs ? <div className="muted" data-testid="engine-options-note">CrystFEL options ({programs}); unset ones take diffractem&apos;s defaults, empty ones CrystFEL&apos;s own.</div> : null}
      {options.length > 0 ? (
        <table className="wiz-options" data-testid="step-options" data-engine={engine}><tbody>
          {options.filter((o) => optionVisible(o, form, options)).map((o) => <OptionRow key={o.key} o={o} engine={engine} value={form[o.key] ?? ""} onChange={(v) => setForm({ ...form, [o.key]: v })} />)}
        </tbody></table>
      ) : null}
      {other.length > 0 ? <div className="muted">other options: {other.map(([k, v]) => `${k}: ${JSON.stringify(v)}`).join(" · ")}</div> : null}
      {aside.map(([k, v]) => <div key={k} className="muted" data-testid={`options-aside${k}`}>kept for the {k === "_crystfel" ? "CrystFEL" : "built-in"} engine (used again on switching back): {Object.entries((v ?? {}) as Record<string, unknown>).map(([a, b]) => `${a}: ${JSON.stringify(b)}`).join(" · ")}</div>)}
      <ExecutionPanel host={host} store={store} step={st.step} stepTitle={(x) => stepInfo(x).title} />
      <div className="wiz-buttons">
        <button data-testid="run-step" disabled={running} onClick={() => void run()}>{st.status === "up-to-date" && !dirty ? "Up to date" : "Run"}</button>
        <button disabled={!dirty} onClick={() => void save()}>Save options</button>
        {running ? <button data-testid="cancel-step" onClick={() => void host.pipelineCancel({}).then((x) => store.getState().setPipeline(x), err)}>Cancel</button> : null}
        {dirty ? <span className="muted">unsaved changes (later steps will be out of date)</span> : null}
      </div>
      <div className="wiz-progress" data-testid="progress"><div className="bar" style={{ width: `${pct}%` }} /><span>{prog ? `${prog.done}/${prog.total} ${prog.note}` : st.lastRun ? `${st.lastRun.id}: ${st.lastRun.state}` : "not run yet"}</span></div>
      {running && p.active ? <div className="muted">running up to {p.active.step}… {last ?? ""}</div> : null}
      {/* a failed/interrupted job of this step is explained (reason, exit code, log tail) by the Engine & computer section above */}
      {st.lastRun?.message && st.lastRun.state !== "failed" && st.lastRun.state !== "interrupted" ? <div className="wiz-error">{st.lastRun.message}</div> : null}
      {p.message && /failed|error|not available/.test(p.message) && !new RegExp(`^step ${st.step} (failed|interrupted):`).test(p.message) ? <pre className="wiz-log">{p.message}</pre> : null}
      {st.step === "centre-peaks" ? <TuningPanel host={host} base={st.options} onApply={(o) => void applyTuning(o)} /> : null}
      <StepResults store={store} step={st.step} {...(onOpenShot ? { onOpenShot } : {})} host={host} />
    </section>
  );
}

function OptionRow({ o, engine, value, onChange }: { o: OptionInfo; engine: "builtin" | "crystfel"; value: string | boolean; onChange: (v: string | boolean) => void }) {
  const own = engine === "crystfel" ? "CrystFEL default" : "default";
  return (
    <tr>
      <th title={engine === "crystfel" ? `--${o.key}` : o.key}>{o.label}</th>
      <td>
        {o.kind === "boolean" ? <input type="checkbox" data-testid={`opt-${o.key}`} checked={value === "" ? o.defaultValue === true : value === true} onChange={(e) => onChange(e.target.checked)} />
          : o.kind === "choice" ? (
            <select data-testid={`opt-${o.key}`} value={String(value === "" ? o.defaultValue ?? "" : value)} onChange={(e) => onChange(e.target.value)}>
              {o.defaultValue === undefined ? <option value="">({own})</option> : null}
              {o.choices!.map((c) => <option key={c} value={c}>{c}</option>)}
            </select>
          ) : <input data-testid={`opt-${o.key}`} value={String(value)} placeholder={o.defaultValue === undefined ? o.emptyMeans ?? own : String(o.defaultValue)} onChange={(e) => onChange(e.target.value)} />}
      </td>
      <td className="help">{o.help}</td>
    </tr>
  );
}
