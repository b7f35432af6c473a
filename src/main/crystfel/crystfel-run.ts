/**
 * Running a CrystFEL program in the foreground of the host (or of a `serialed` job): execa with
 * its own process group (indexamajig forks workers: cancelling kills the whole group), every
 * output line streamed to a log file and a callback, progress parsed from the lines, and a
 * result carrying exit status and the tail of stderr. (CrystFEL writes its messages to stderr.)
 */
import { createWriteStream } from "node:fs";
import { execa } from "execa";
import { parseProgressLine } from "../jobs/progress-parse.ts";
import type { JobProgress } from "../jobs/job-record.ts";

export interface CrystfelRunOptions {
  readonly cwd: string;
  /** Log file receiving stdout+stderr (appended). */
  readonly logPath?: string;
  readonly signal?: AbortSignal;
  readonly onLine?: (line: string) => void;
  readonly onProgress?: (p: JobProgress) => void;
  /** Total for progress when the program does not print it (e.g. number of events for indexamajig). */
  readonly progressTotal?: number;
  /** Grace period between SIGTERM and SIGKILL of the group on cancel. */
  readonly killAfterMs?: number;
  readonly env?: Readonly<Record<string, string>>;
}

export interface CrystfelRunResult {
  readonly command: string;
  readonly exitCode: number | undefined;
  readonly signal: string | undefined;
  readonly cancelled: boolean;
  readonly ok: boolean;
  /** Last lines of the output, for error reports. */
  readonly tail: string;
  /** Whole output (stderr+stdout interleaved). */
  readonly output: string;
}

export async function runCrystfel(program: string, args: readonly string[], o: CrystfelRunOptions): Promise<CrystfelRunResult> {
  const log = o.logPath ? createWriteStream(o.logPath, { flags: "a" }) : undefined;
  const command = [program, ...args].join(" ");
  log?.write(`$ ${command}\n`);
  const child = execa(program, args, { cwd: o.cwd, reject: false, detached: true, all: true, env: { ...(o.env ?? {}) }, stdin: "ignore" });
  let cancelled = false;
  const killGroup = (sig: NodeJS.Signals): void => { try { if (child.pid) process.kill(-child.pid, sig); } catch { /* gone */ } };
  let killTimer: ReturnType<typeof setTimeout> | undefined;
  const onAbort = (): void => {
    cancelled = true;
    killGroup("SIGTERM");
    killTimer = setTimeout(() => killGroup("SIGKILL"), o.killAfterMs ?? 3000);
  };
  if (o.signal?.aborted) onAbort(); else o.signal?.addEventListener("abort", onAbort, { once: true });
  let pending = "";
  child.all?.on("data", (d: Buffer) => {
    log?.write(d);
    pending += d.toString("utf8");
    const parts = pending.split(/\r?\n|\r/);
    pending = parts.pop() ?? "";
    for (const line of parts) {
      o.onLine?.(line);
      const p = parseProgressLine(line, o.progressTotal);
      if (p) o.onProgress?.(p);
    }
  });
  const r = await child;
  if (pending) o.onLine?.(pending);
  o.signal?.removeEventListener("abort", onAbort);
  if (killTimer) clearTimeout(killTimer);
  killGroup("SIGKILL"); // leftover workers of a crashed parent
  await new Promise<void>((res) => (log ? log.end(() => res()) : res()));
  const output = typeof r.all === "string" ? r.all : "";
  const tail = output.split(/\r?\n/).filter((l) => l.trim()).slice(-20).join("\n");
  const failedToStart = r.exitCode === undefined && !r.signal && !cancelled;
  return {
    command,
    exitCode: r.exitCode,
    signal: r.signal,
    cancelled,
    ok: !cancelled && r.exitCode === 0,
    tail: failedToStart ? `${tail}\n${r.shortMessage ?? ""}`.trim() : tail,
    output,
  };
}

/** One sentence for a failed run: what ran, how it ended, the last lines it printed. */
export function describeFailure(r: CrystfelRunResult): string {
  const how = r.cancelled ? "was cancelled" : r.signal ? `was killed by ${r.signal}` : r.exitCode === undefined ? "could not be started" : `exited with status ${r.exitCode}`;
  return `${r.command.split(" ")[0]} ${how}.${r.tail ? `\nLast output:\n${r.tail}` : ""}`;
}
