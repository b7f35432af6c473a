/**
 * Thin wrappers over the SLURM client commands (sbatch, squeue, sacct, scancel, sinfo) via execa.
 * One `squeue` call reports every job of interest per polling cycle.
 */
import { execa } from "execa";

export interface SlurmTaskState {
  /** Array job id (or the job id for a plain job). */
  readonly jobId: string;
  /** Array task index, or undefined for a plain job. */
  readonly task: number | undefined;
  /** SLURM state: PENDING, RUNNING, COMPLETED, FAILED, CANCELLED, TIMEOUT, OUT_OF_MEMORY, NODE_FAIL, ... */
  readonly state: string;
  readonly reason: string;
  /** Exit code of the batch script (raw wait status >> 8), when known. */
  readonly exitCode?: number;
  /** Terminating signal, when known. */
  readonly signal?: number;
}

export async function slurmAvailable(): Promise<{ ok: boolean; message: string }> {
  try {
    const r = await execa("sinfo", ["-h", "-o", "%P %a %D %t"], { reject: false, timeout: 10_000 });
    if (r.exitCode !== 0) return { ok: false, message: `sinfo failed: ${(r.stderr || r.stdout).trim()}` };
    return { ok: true, message: r.stdout.trim() };
  } catch (e) {
    return { ok: false, message: `sinfo not found (${e instanceof Error ? e.message.split("\n")[0] : String(e)})` };
  }
}

/** Submits a batch script; returns the job id (`sbatch --parsable`). */
export async function sbatch(scriptPath: string, cwd: string): Promise<string> {
  const r = await execa("sbatch", ["--parsable", scriptPath], { cwd, reject: false, timeout: 60_000 });
  if (r.exitCode !== 0) throw new Error(`sbatch ${scriptPath} failed: ${(r.stderr || r.stdout).trim() || `exit ${r.exitCode}`}`);
  const id = r.stdout.trim().split(";")[0]!;
  if (!/^\d+$/.test(id)) throw new Error(`sbatch ${scriptPath}: unexpected answer '${r.stdout.trim()}'`);
  return id;
}

export async function scancel(jobId: string): Promise<void> {
  const r = await execa("scancel", [jobId], { reject: false, timeout: 30_000 });
  if (r.exitCode !== 0) throw new Error(`scancel ${jobId} failed: ${(r.stderr || r.stdout).trim()}`);
}

function parseJobArrayId(s: string): { jobId: string; task: number | undefined } {
  const m = /^(\d+)(?:_(\d+))?/.exec(s.trim());
  if (!m) return { jobId: s.trim(), task: undefined };
  return { jobId: m[1]!, task: m[2] === undefined ? undefined : Number(m[2]) };
}

/** Parses `squeue -h -a -r --states=all -O JobArrayID:|,State:|,Reason:|,exit_code:|` output. */
export function parseSqueue(text: string): SlurmTaskState[] {
  const out: SlurmTaskState[] = [];
  for (const line of text.split("\n")) {
    if (!line.trim()) continue;
    const [aid, state, reason, exit] = line.split("|").map((s) => s.trim());
    if (!aid || !state) continue;
    const raw = exit !== undefined && /^\d+$/.test(exit) ? Number(exit) : undefined;
    const st: SlurmTaskState = { ...parseJobArrayId(aid), state: state.replace(/\+$/, ""), reason: reason ?? "" };
    out.push(raw === undefined ? st : { ...st, exitCode: raw >> 8, signal: raw & 0x7f });
  }
  return out;
}

/** All jobs the controller still knows about (one call). */
export async function squeueAll(): Promise<SlurmTaskState[]> {
  const r = await execa("squeue", ["-h", "-a", "-r", "--states=all", "-O", "JobArrayID:|,State:|,Reason:|,exit_code:|"], { reject: false, timeout: 30_000 });
  if (r.exitCode !== 0) throw new Error(`squeue failed: ${(r.stderr || r.stdout).trim()}`);
  return parseSqueue(r.stdout);
}

let sacctOk: boolean | undefined;

/** Jobs from the accounting database (when enabled): for jobs squeue has forgotten. */
export async function sacctJobs(jobIds: readonly string[]): Promise<SlurmTaskState[]> {
  if (sacctOk === false || jobIds.length === 0) return [];
  const r = await execa("sacct", ["-n", "-P", "-X", "-j", jobIds.join(","), "--format=JobID,State,ExitCode"], { reject: false, timeout: 30_000 });
  if (r.exitCode !== 0) {
    sacctOk = false; // e.g. "Slurm accounting storage is disabled"
    return [];
  }
  sacctOk = true;
  const out: SlurmTaskState[] = [];
  for (const line of r.stdout.split("\n")) {
    const [id, state, exit] = line.split("|");
    if (!id || !state) continue;
    const [code, sig] = (exit ?? "0:0").split(":").map(Number);
    out.push({ ...parseJobArrayId(id), state: state.split(" ")[0]!, reason: state, exitCode: code ?? 0, signal: sig ?? 0 });
  }
  return out;
}
