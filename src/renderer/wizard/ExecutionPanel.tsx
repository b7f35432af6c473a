/**
 * A wizard step's engine (built-in / CrystFEL) and computer (this computer / SLURM with its
 * resources), as the host detects them (pipelineExecution; cached host-side, "Re-detect" runs it
 * again). Choices the host cannot offer are disabled with the reason. When the step's latest run
 * failed, shows why: job / SLURM state, exit code and the tail of the (task) log.
 */
import { useCallback, useEffect, useRef, useState } from "react";
import { useStore } from "zustand";
import type { ExecutionStatus, StepExecution, StepFailure } from "../../core/api/host-api.ts";
import type { HostClient } from "../api/host-client.ts";
import type { WizardStore } from "./wizard-slice.ts";
import { formToResources, toForm, type ResourceForm } from "./exec-form.ts";
import "./exec.css";

export function ExecutionPanel({ host, store, step, stepTitle }: { host: HostClient; store: WizardStore; step: string; stepTitle: (s: string) => string }) {
  const [status, setStatus] = useState<ExecutionStatus | null>(null);
  const [detecting, setDetecting] = useState(false);
  const lastRun = useStore(store, (s) => s.pipeline?.steps.find((x) => x.step === step)?.lastRun);
  const err = useCallback((e: unknown): void => store.getState().setError(e instanceof Error ? e.message : String(e)), [store]);
  const seq = useRef(0);
  const load = useCallback(async (redetect: boolean): Promise<void> => {
    const n = ++seq.current; // only the latest answer is shown (a slow re-detect must not overwrite a newer state)
    setDetecting(true);
    try {
      const s = await host.pipelineExecution(redetect ? { redetect } : {});
      if (n === seq.current) setStatus(s);
    } catch (e) { err(e); } finally { if (n === seq.current) setDetecting(false); }
  }, [host, err]);
  // again when the step's run changes (its failure, if any, is part of the answer)
  useEffect(() => { void load(false); }, [load, lastRun?.id, lastRun?.state]);

  const ex = status?.steps.find((s) => s.step === step);
  return (
    <fieldset className="wiz-exec" data-testid="exec-panel">
      <legend>Engine &amp; computer</legend>
      {!status ? <p className="muted" data-testid="exec-detecting">looking for CrystFEL and SLURM on this host…</p>
        : !ex ? null
          : ex.foldedInto ? <p className="muted" data-testid="exec-folded">This step runs inside the {stepTitle(ex.foldedInto)} job: choose the engine and the computer there.</p>
            : <ExecutionForm key={JSON.stringify([ex.engine, ex.backend, ex.resources])} host={host} store={store} status={status} ex={ex} onSaved={() => load(false)} err={err} />}
      {status ? (
        <div className="exec-detect muted">
          <span data-testid="exec-detected">checked {new Date(status.detectedAt).toLocaleTimeString()}</span>
          <button data-testid="exec-redetect" disabled={detecting} onClick={() => void load(true)}>{detecting ? "checking…" : "Re-detect"}</button>
          <details><summary>CrystFEL programs</summary>
            <table className="exec-programs"><tbody>
              {status.crystfel.programs.map((p) => <tr key={p.name}><th>{p.name}</th><td>{p.path ? `${p.path} ${p.version ? `(${p.version})` : `— not working: ${p.problem ?? "?"}`}` : "not on PATH"}</td></tr>)}
            </tbody></table>
          </details>
        </div>
      ) : null}
      {ex?.failure ? <FailureBox f={ex.failure} /> : null}
    </fieldset>
  );
}

function ExecutionForm({ host, store, status, ex, onSaved, err }: { host: HostClient; store: WizardStore; status: ExecutionStatus; ex: StepExecution; onSaved: () => Promise<void>; err: (e: unknown) => void }) {
  const [form, setForm] = useState<ResourceForm>(() => toForm(ex.resources));
  const [saving, setSaving] = useState(false);
  const prog = ex.crystfelProgram ? status.crystfel.programs.find((p) => p.name === ex.crystfelProgram) : undefined;
  const crystfelOk = Boolean(prog?.version);
  const slurmOk = status.slurm.reachable;
  const dirty = JSON.stringify(form) !== JSON.stringify(toForm(ex.resources));

  const save = async (engine: StepExecution["engine"], backend: StepExecution["backend"]): Promise<void> => {
    setSaving(true);
    try {
      const resources = formToResources(form, ex.canSplit);
      store.getState().setPipeline(await host.pipelineSetExecution({ step: ex.step, engine, backend, resources }));
      store.getState().setError(null);
      await onSaved(); // controls stay disabled until the new settings are shown (no edits lost to the refresh)
    } catch (e) { err(e); } finally { setSaving(false); }
  };
  const field = (k: keyof ResourceForm, label: string, help: string, placeholder = "") => (
    <tr><th>{label}</th><td><input data-testid={`res-${k}`} value={form[k]} placeholder={placeholder} onChange={(e) => setForm({ ...form, [k]: e.target.value })} /></td><td className="help">{help}</td></tr>
  );
  return (
    <fieldset className="exec-form" disabled={saving}>
      <div className="exec-row">
        <label>Engine{" "}
          <select data-testid="exec-engine" value={ex.engine} disabled={!ex.crystfelProgram} onChange={(e) => void save(e.target.value as StepExecution["engine"], ex.backend)}>
            <option value="builtin">Built-in</option>
            {ex.crystfelProgram ? <option value="crystfel" disabled={!crystfelOk}>CrystFEL {prog?.version ? `${ex.crystfelProgram} ${prog.version}` : "(not available)"}</option> : null}
          </select>
        </label>
        <span className={`exec-note ${ex.crystfelProgram && !crystfelOk ? "warn" : ""}`} data-testid="exec-engine-note">
          {!ex.crystfelProgram ? "this step has no CrystFEL counterpart"
            : crystfelOk ? `CrystFEL runs ${ex.crystfelProgram} (${prog!.path})`
              : prog?.path ? `CrystFEL's ${ex.crystfelProgram} does not work here: ${prog.problem ?? "?"}`
                : `CrystFEL not found on PATH (${ex.crystfelProgram} …): install CrystFEL and put its programs on PATH, then Re-detect. The built-in engine runs this step.`}
        </span>
      </div>
      <div className="exec-row">
        <label>Run on{" "}
          <select data-testid="exec-backend" value={ex.backend} onChange={(e) => void save(ex.engine, e.target.value as StepExecution["backend"])}>
            <option value="local">This computer</option>
            <option value="slurm" disabled={!slurmOk && ex.backend !== "slurm"}>SLURM cluster{slurmOk ? "" : " (not reachable)"}</option>
          </select>
        </label>
        <span className={`exec-note ${slurmOk ? "" : "warn"}`} data-testid="exec-backend-note">
          {slurmOk ? status.slurm.message : `${status.slurm.message}. Jobs run on this computer.`}
        </span>
      </div>
      {ex.backend === "slurm" ? (
        <>
          <table className="wiz-options exec-resources" data-testid="exec-resources"><tbody>
            <tr><th>partition</th><td>
              <select data-testid="res-partition" value={form.partition} onChange={(e) => setForm({ ...form, partition: e.target.value })}>
                <option value="">cluster default</option>
                {status.slurm.partitions.map((p) => <option key={p.name} value={p.name}>{p.name}{p.isDefault ? " (default)" : ""} — {p.nodes} node{p.nodes === 1 ? "" : "s"} {p.states.join("/")}, limit {p.timeLimit}</option>)}
                {form.partition && !status.slurm.partitions.some((p) => p.name === form.partition) ? <option value={form.partition}>{form.partition} (not listed by sinfo)</option> : null}
              </select>
            </td><td className="help">sbatch --partition</td></tr>
            {field("cpus", "CPUs", "--cpus-per-task; also the step's threads", "default")}
            {field("memMb", "memory, MB", "--mem per node", "default")}
            {field("time", "time limit", "--time: minutes, HH:MM:SS or D-HH:MM:SS", "partition limit")}
            {field("gres", "GRES", "--gres, e.g. gpu:1", "none")}
            <tr><th>extra sbatch options</th><td><textarea data-testid="res-extraSbatch" rows={2} value={form.extraSbatch} placeholder="--account=abc" onChange={(e) => setForm({ ...form, extraSbatch: e.target.value })} /></td><td className="help">one option per line</td></tr>
            {ex.canSplit ? field("arrayTasks", "array tasks", "split the input files over this many SLURM array tasks", "1") : null}
          </tbody></table>
          <div className="wiz-buttons">
            <button data-testid="exec-save" disabled={!dirty || saving} onClick={() => void save(ex.engine, ex.backend)}>Save SLURM resources</button>
            {dirty ? <span className="muted">unsaved resources: the next run uses the saved ones</span> : null}
          </div>
        </>
      ) : null}
    </fieldset>
  );
}

function FailureBox({ f }: { f: StepFailure }) {
  const where = f.backend === "slurm" ? `on SLURM${f.slurmJobId ? ` (job ${f.slurmJobId})` : ""}` : "on this computer";
  return (
    <div className="exec-failure" data-testid="exec-failure">
      <div className="wiz-error"><b>Run {f.runId} {f.state} {where}:</b> {f.reason}{f.exitCode !== null && !f.reason.includes(`exit code ${f.exitCode}`) ? ` (exit code ${f.exitCode})` : ""}</div>
      {f.tasks.length > 0 ? f.tasks.map((t) => (
        <div key={t.task}>
          <div className="muted">task {t.task}: {t.reason}</div>
          <pre className="wiz-log" data-testid={`exec-task-log-${t.task}`}>{t.logTail || "(the task's log is empty)"}</pre>
        </div>
      )) : <><div className="muted">last lines of {f.logPath || "the log"}:</div><pre className="wiz-log" data-testid="exec-log-tail">{f.logTail || "(the log is empty)"}</pre></>}
    </div>
  );
}
