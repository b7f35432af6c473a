/**
 * Runs a job on this machine as a detached process group: `/bin/sh` wrapper → the command, with
 * stdout+stderr going straight to the job's log file (no pipes to the host), so the job keeps
 * running when the host or the browser window goes away. The wrapper writes the exit status to
 * jobs/<id>/exit-code; a host that restarts reads that file, or finds the process alive (pid +
 * start time, against pid reuse) and reattaches, or reports the job interrupted.
 */
import { spawn } from "node:child_process";
import { closeSync, existsSync, openSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fillPlaceholders, resolveArgv } from "./command-line.ts";
import type { BackendStatus, JobBackend } from "./job-backend.ts";
import type { BackendIds, JobRecord } from "./job-record.ts";

const WRAPPER = '"$@"; code=$?; echo $code > "$SERIALED_JOB_EXIT.tmp" && mv "$SERIALED_JOB_EXIT.tmp" "$SERIALED_JOB_EXIT"; exit $code';

export function exitFile(rec: JobRecord): string {
  return join(dirname(rec.logPath), "exit-code");
}

/** Process start time in clock ticks, or undefined if the process does not exist or is a zombie. */
export function processStartTicks(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const rest = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    if (rest[0] === "Z" || rest[0] === "X") return undefined;
    return Number(rest[19]); // field 22 overall; rest starts at field 3
  } catch {
    return undefined;
  }
}

export function isSameProcessAlive(ids: BackendIds | undefined): boolean {
  if (!ids?.pid) return false;
  const t = processStartTicks(ids.pid);
  return t !== undefined && (ids.pidStartTicks === undefined || t === ids.pidStartTicks);
}

/** Argv actually run locally (array placeholders filled for one range over everything). */
export function localArgv(rec: JobRecord): string[] {
  const a = rec.spec.array;
  const argv = a ? fillPlaceholders(rec.spec.argv, { first: 0, last: a.items - 1, part: a.output, ...(a.inputs ? { inputs: a.inputs } : {}) }) : [...rec.spec.argv];
  return resolveArgv(argv);
}

export class LocalBackend implements JobBackend {
  readonly kind = "local" as const;

  async submit(rec: JobRecord): Promise<BackendIds> {
    const argv = localArgv(rec);
    const log = openSync(rec.logPath, "a");
    try {
      const child = spawn("/bin/sh", ["-c", WRAPPER, "sh", ...argv], {
        cwd: rec.spec.cwd,
        detached: true, // own process group: survives the host, cancellable as a group
        stdio: ["ignore", log, log],
        env: { ...process.env, ...(rec.spec.env ?? {}), SERIALED_JOB_EXIT: exitFile(rec), SERIALED_JOB_ID: rec.id },
      });
      const pid = await new Promise<number>((res, rej) => {
        child.once("error", (e) => rej(new Error(`cannot start ${argv[0]}: ${e.message}`, { cause: e })));
        child.once("spawn", () => res(child.pid!));
      });
      child.unref();
      const ticks = processStartTicks(pid);
      return ticks === undefined ? { pid } : { pid, pidStartTicks: ticks };
    } finally {
      closeSync(log);
    }
  }

  async poll(recs: readonly JobRecord[]): Promise<Map<string, BackendStatus>> {
    const out = new Map<string, BackendStatus>();
    for (const rec of recs) {
      const f = exitFile(rec);
      if (existsSync(f)) {
        const code = Number(readFileSync(f, "utf8").trim());
        out.set(rec.id, code === 0 ? { state: "done", exitCode: 0 } : { state: "failed", exitCode: code, reason: describeExit(code) });
      } else if (isSameProcessAlive(rec.backendIds)) {
        out.set(rec.id, { state: "running" });
      } else {
        out.set(rec.id, { state: "interrupted", reason: "the job's process ended without reporting an exit status (killed, or the machine restarted)" });
      }
    }
    return out;
  }

  async cancel(rec: JobRecord): Promise<void> {
    const pid = rec.backendIds?.pid;
    if (!pid || !isSameProcessAlive(rec.backendIds)) return;
    const kill = (sig: NodeJS.Signals): void => { try { process.kill(-pid, sig); } catch { /* already gone */ } };
    kill("SIGTERM");
    for (let i = 0; i < 50 && isSameProcessAlive(rec.backendIds); i++) await new Promise((r) => setTimeout(r, 100));
    if (isSameProcessAlive(rec.backendIds)) kill("SIGKILL");
  }
}

export function describeExit(code: number): string {
  if (code > 128 && code < 160) return `exit status ${code} (killed by signal ${code - 128})`;
  return `exit status ${code}`;
}
