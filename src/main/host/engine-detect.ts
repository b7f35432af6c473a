/**
 * Which external engines and backends this host can offer: CrystFEL programs on PATH with their
 * versions (src/main/crystfel/crystfel-detect.ts) and whether a SLURM controller answers `sinfo`
 * (with its partitions). Detection is cached (sinfo can take ~10 s to give up on a dead
 * controller); `detect({ redetect: true })` runs it again. Concurrent callers share one run.
 */
import { delimiter } from "node:path";
import { execa } from "execa";
import type { ExecutionStatus, SlurmPartition } from "../../core/api/host-api.ts";
import { detectCrystfel } from "../crystfel/crystfel-detect.ts";

/** The CrystFEL programs the wizard reports (the ones the pipeline and the validation tools use). */
export const REPORTED_CRYSTFEL_PROGRAMS = ["indexamajig", "partialator", "check_hkl", "compare_hkl", "ambigator"] as const;

export type EngineStatus = Omit<ExecutionStatus, "steps">;

export interface EngineDetectorOptions {
  /** Search path for CrystFEL and sinfo (default: the host's $PATH). */
  readonly path?: string;
  /** sinfo time-out, ms (default 20 s). */
  readonly sinfoTimeoutMs?: number;
}

/** Parses `sinfo -h -o "%P|%a|%D|%t|%l"` (one line per partition and node state). */
export function parseSinfoPartitions(text: string): SlurmPartition[] {
  const byName = new Map<string, { name: string; isDefault: boolean; availability: string; nodes: number; states: string[]; timeLimit: string }>();
  for (const line of text.split("\n")) {
    if (!line.trim()) continue;
    const [rawName, avail, nodes, state, limit] = line.split("|").map((x) => x.trim());
    if (!rawName) continue;
    const isDefault = rawName.endsWith("*");
    const name = isDefault ? rawName.slice(0, -1) : rawName;
    const p = byName.get(name) ?? { name, isDefault, availability: avail ?? "", nodes: 0, states: [], timeLimit: limit ?? "" };
    const n = Number(nodes);
    if (Number.isInteger(n) && n >= 0) p.nodes += n;
    const st = (state ?? "").replace(/[*~#!%$@^-]+$/, "");
    if (st && !p.states.includes(st)) p.states.push(st);
    byName.set(name, p);
  }
  return [...byName.values()];
}

export async function detectSlurm(path: string, timeoutMs = 20_000): Promise<EngineStatus["slurm"]> {
  let r;
  try {
    // extendEnv keeps the host's environment (SLURM_CONF, munge socket …); PATH is the one searched
    r = await execa("sinfo", ["-h", "-o", "%P|%a|%D|%t|%l"], { reject: false, timeout: timeoutMs, env: { PATH: path }, extendEnv: true });
  } catch (e) {
    return { reachable: false, partitions: [], message: `SLURM not available: ${e instanceof Error ? e.message.split("\n")[0] : String(e)}` };
  }
  if (r.failed && (r as { code?: string }).code === "ENOENT") return { reachable: false, partitions: [], message: "SLURM not found: sinfo is not on PATH" };
  if (r.timedOut) return { reachable: false, partitions: [], message: `SLURM not reachable: sinfo gave no answer within ${(timeoutMs / 1000).toFixed(timeoutMs < 10_000 ? 1 : 0)} s` };
  if (r.exitCode !== 0) {
    const why = String(r.stderr || r.stdout).trim().split("\n").filter(Boolean).pop() ?? `exit code ${r.exitCode}`;
    return { reachable: false, partitions: [], message: `SLURM not reachable: sinfo: ${why}` };
  }
  const partitions = parseSinfoPartitions(String(r.stdout));
  if (partitions.length === 0) return { reachable: false, partitions, message: "SLURM not usable: sinfo lists no partitions" };
  const up = partitions.filter((p) => p.availability === "up");
  return {
    reachable: true, partitions,
    message: `SLURM reachable: ${partitions.map((p) => `${p.name}${p.isDefault ? " (default)" : ""} ${p.availability}, ${p.nodes} node${p.nodes === 1 ? "" : "s"} ${p.states.join("/")}`).join("; ")}${up.length === 0 ? " — no partition is up" : ""}`,
  };
}

export async function detectCrystfelStatus(path: string): Promise<EngineStatus["crystfel"]> {
  const inst = await detectCrystfel(path.split(delimiter));
  const programs = REPORTED_CRYSTFEL_PROGRAMS.map((name) => {
    const p = inst.programs[name];
    return { name, path: p.path ?? null, version: p.version ?? null, problem: p.problem ?? null };
  });
  const missing = programs.filter((p) => !p.path).map((p) => p.name);
  const broken = programs.filter((p) => p.path && !p.version);
  let message: string;
  if (missing.length === programs.length) message = `CrystFEL not found on PATH (${missing.join(", ")})`;
  else {
    message = inst.usable ? `CrystFEL ${inst.version ?? "?"} found` : "CrystFEL not usable (indexamajig and partialator are both needed)";
    if (missing.length > 0) message += `; not on PATH: ${missing.join(", ")}`;
    if (broken.length > 0) message += `; not working: ${broken.map((p) => `${p.name} (${p.problem ?? "?"})`).join(", ")}`;
  }
  return { usable: inst.usable, version: inst.version ?? null, programs, message };
}

export interface EngineDetector {
  /** Cached status; `redetect` runs the detection again. */
  detect(o?: { redetect?: boolean }): Promise<EngineStatus>;
}

export function createEngineDetector(o: EngineDetectorOptions = {}): EngineDetector {
  let cached: Promise<EngineStatus> | null = null;
  const run = async (): Promise<EngineStatus> => {
    const path = o.path ?? process.env["PATH"] ?? "";
    const [crystfel, slurm] = await Promise.all([detectCrystfelStatus(path), detectSlurm(path, o.sinfoTimeoutMs)]);
    return { detectedAt: new Date().toISOString(), crystfel, slurm };
  };
  return {
    detect({ redetect = false } = {}) {
      if (!cached || redetect) {
        const p = run();
        cached = p;
        p.catch(() => { if (cached === p) cached = null; }); // a crash is not cached
      }
      return cached;
    },
  };
}

