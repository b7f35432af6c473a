/**
 * The job runner: starts jobs on a backend, keeps their records (state, progress, log, outputs)
 * up to date on disk by polling all active jobs once per cycle, cancels them, and after a host
 * restart finds them again (`recover`): reattached if still running, finished if they finished
 * meanwhile, or `interrupted` with their outputs kept and a resume command.
 */
import { EventEmitter } from "node:events";
import { existsSync } from "node:fs";
import { LocalBackend } from "./backend-local.ts";
import { shellJoin } from "./command-line.ts";
import type { BackendStatus, JobBackend } from "./job-backend.ts";
import { isFinalState } from "./job-record.ts";
import type { BackendKind, JobRecord, JobSpec } from "./job-record.ts";
import { JobStore } from "./job-store.ts";
import { readTail, tailLines } from "./log-tail.ts";
import { lastProgress } from "./progress-parse.ts";

export interface JobRunnerOptions {
  readonly pollMs?: number;
  /** Backends by kind; local is always available, slurm only if given. */
  readonly backends?: Partial<Record<BackendKind, JobBackend>>;
}

export interface JobRunnerEvents {
  update: [JobRecord];
}

export class JobRunner extends EventEmitter<JobRunnerEvents> {
  readonly store: JobStore;
  private readonly backends: Partial<Record<BackendKind, JobBackend>>;
  private readonly pollMs: number;
  private timer: ReturnType<typeof setInterval> | undefined;
  private polling: Promise<void> | undefined;

  constructor(jobsDir: string, opts: JobRunnerOptions = {}) {
    super();
    this.store = new JobStore(jobsDir);
    this.backends = { local: new LocalBackend(), ...(opts.backends ?? {}) };
    this.pollMs = opts.pollMs ?? 500;
  }

  private backend(kind: BackendKind): JobBackend {
    const b = this.backends[kind];
    if (!b) throw new Error(`job backend '${kind}' is not configured on this host`);
    return b;
  }

  /** Creates the record and submits the job. A submission error gives a failed job with the reason. */
  async start(spec: JobSpec, extra: Partial<JobRecord> = {}): Promise<JobRecord> {
    let rec = this.store.create(spec, extra);
    try {
      const ids = await this.backend(spec.backend).submit(rec);
      rec = this.store.update(rec.id, { state: spec.backend === "local" ? "running" : "queued", startedAt: new Date().toISOString(), backendIds: ids });
    } catch (e) {
      rec = this.store.update(rec.id, { state: "failed", finishedAt: new Date().toISOString(), reason: `could not start: ${e instanceof Error ? e.message : String(e)}` });
    }
    this.emit("update", rec);
    this.ensureTimer();
    return rec;
  }

  get(id: string): JobRecord {
    return this.store.read(id);
  }

  list(): JobRecord[] {
    return this.store.list();
  }

  async cancel(id: string): Promise<JobRecord> {
    const rec = this.store.read(id);
    if (isFinalState(rec.state)) return rec;
    // mark first, so a poll racing with the kill does not report "failed"
    this.store.update(id, { state: "cancelled", reason: "cancelled by the user", finishedAt: new Date().toISOString() });
    await this.backend(rec.spec.backend).cancel(rec);
    const r = this.store.update(id, { outputsPresent: present(rec), logTail: tailLines(rec.logPath, 20) });
    this.emit("update", r);
    return r;
  }

  /**
   * After a host restart: every job not in a final state is polled; running ones are reattached
   * (monitoring continues), the others get their final state. Returns the records after recovery.
   */
  async recover(): Promise<JobRecord[]> {
    await this.pollOnce();
    this.ensureTimer();
    return this.store.list();
  }

  /** Starts a new job that continues an interrupted/failed one (its subcommand skips finished work). */
  async resume(id: string): Promise<JobRecord> {
    const old = this.store.read(id);
    if (!isFinalState(old.state) || old.state === "done") throw new Error(`job ${id} is ${old.state}; only interrupted, failed or cancelled jobs can be resumed`);
    const spec: JobSpec = { ...old.spec, argv: old.spec.resumeArgv ?? old.spec.argv };
    return this.start(spec, { resumedFrom: id });
  }

  /** One polling cycle over all active jobs (one backend call per backend). */
  async pollOnce(): Promise<void> {
    if (this.polling) return this.polling;
    this.polling = this.doPoll().finally(() => { this.polling = undefined; });
    return this.polling;
  }

  private async doPoll(): Promise<void> {
    const active = this.store.list().filter((r) => !isFinalState(r.state));
    const byKind = new Map<BackendKind, JobRecord[]>();
    for (const r of active) byKind.set(r.spec.backend, [...(byKind.get(r.spec.backend) ?? []), r]);
    for (const [kind, recs] of byKind) {
      const b = this.backends[kind];
      if (!b) {
        for (const r of recs) this.finish(r, { state: "interrupted", reason: `backend '${kind}' is not available on this host; cannot monitor the job` });
        continue;
      }
      let st: Map<string, BackendStatus>;
      try {
        st = await b.poll(recs);
      } catch (e) {
        // monitoring failure (e.g. squeue unreachable) is not a job failure: try again next cycle
        process.emitWarning(`job monitoring (${kind}): ${e instanceof Error ? e.message : String(e)}`);
        continue;
      }
      for (const r of recs) {
        const s = st.get(r.id);
        const cur = this.store.read(r.id);
        if (isFinalState(cur.state)) continue; // cancelled meanwhile
        const progress = this.readProgress(b, cur, s);
        if (!s || s.state === "running" || s.state === "queued") {
          const patch: Partial<JobRecord> = {};
          if (s && s.state !== cur.state) Object.assign(patch, { state: s.state });
          if (progress && JSON.stringify(progress) !== JSON.stringify(cur.progress)) Object.assign(patch, { progress });
          if (Object.keys(patch).length > 0) this.emit("update", this.store.update(r.id, patch));
          continue;
        }
        if (s.state === "done" && b.collect) {
          try {
            await b.collect(cur);
          } catch (e) {
            this.finish(cur, { state: "failed", reason: `collecting the outputs failed: ${e instanceof Error ? e.message : String(e)}`, ...(progress ? { progress } : {}) });
            continue;
          }
        }
        this.finish(cur, { ...s, ...(progress ? { progress } : {}) });
      }
    }
    if (this.store.list().every((r) => isFinalState(r.state))) this.stopTimer();
  }

  private readProgress(b: JobBackend, rec: JobRecord, s: BackendStatus | undefined): JobRecord["progress"] {
    if (s?.tasksTotal && s.tasksTotal > 1) return { done: s.tasksDone ?? 0, total: s.tasksTotal, note: "array tasks" };
    const logs = b.progressLogs ? b.progressLogs(rec) : [rec.logPath];
    for (const l of logs) {
      const p = lastProgress(readTail(l, 8192), rec.spec.progressTotal);
      if (p) return p;
    }
    return rec.progress;
  }

  private finish(rec: JobRecord, s: BackendStatus & { progress?: JobRecord["progress"] }): void {
    const patch: Partial<JobRecord> = {
      state: s.state,
      finishedAt: new Date().toISOString(),
      outputsPresent: present(rec),
    };
    if (s.exitCode !== undefined) Object.assign(patch, { exitCode: s.exitCode });
    if (s.reason !== undefined) Object.assign(patch, { reason: s.reason });
    if (s.taskFailures) Object.assign(patch, { taskFailures: s.taskFailures });
    if (s.progress) Object.assign(patch, { progress: s.state === "done" ? { ...s.progress, done: s.progress.total } : s.progress });
    if (s.state !== "done") Object.assign(patch, { logTail: tailLines(rec.logPath, 20) });
    if (s.state === "interrupted") Object.assign(patch, { resumeCommand: shellJoin(rec.spec.resumeArgv ?? rec.spec.argv) });
    this.emit("update", this.store.update(rec.id, patch));
  }

  /** Resolves when the job reaches a final state. */
  wait(id: string, timeoutMs = 600_000): Promise<JobRecord> {
    return new Promise((resolve, reject) => {
      const t0 = Date.now();
      const check = async (): Promise<void> => {
        await this.pollOnce();
        const r = this.store.read(id);
        if (isFinalState(r.state)) { resolve(r); return; }
        if (Date.now() - t0 > timeoutMs) { reject(new Error(`job ${id} still ${r.state} after ${timeoutMs} ms`)); return; }
        setTimeout(() => { check().catch(reject); }, this.pollMs);
      };
      check().catch(reject);
    });
  }

  private ensureTimer(): void {
    if (this.timer) return;
    this.timer = setInterval(() => { this.pollOnce().catch((e: unknown) => process.emitWarning(String(e))); }, this.pollMs);
    this.timer.unref();
  }

  private stopTimer(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  close(): void {
    this.stopTimer();
  }
}

function present(rec: JobRecord): string[] {
  const outs = [...(rec.spec.outputs ?? []), ...(rec.spec.array ? [rec.spec.array.output] : [])];
  return [...new Set(outs)].filter((f) => existsSync(f));
}
