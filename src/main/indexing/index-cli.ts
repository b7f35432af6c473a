/**
 * Shared command-line handling of `serialed index` and `serialed integrate`.
 */
import { expandFileSpecs } from "../dataset/file-specs.ts";
import { availableParallelism } from "node:os";
import { getNumber, getString, parseArgs, type OptionSpec } from "../cli/args.ts";
import { progressBar } from "../cli/progress.ts";
import { runIndex, type RunIndexOptions } from "./run-index.ts";

export const commonSpec: Record<string, OptionSpec> = {
  geom: { value: true }, cell: { value: true }, out: { value: true }, sol: { value: true },
  "int-radius": { value: true }, "profile-radius": { value: true }, "min-peaks": { value: true },
  "match-tol": { value: true }, "min-fraction": { value: true }, "max-lattices": { value: true },
  "seed-peaks": { value: true }, j: { value: true }, resume: { value: false }, "no-integrate": { value: false },
  frames: { value: true }, "no-refine-cell": { value: false }, help: { value: false },
};

export const commonOptionsHelp = `  --geom FILE            CrystFEL geometry (single panel; clen/wavelength numbers; detector_shift_x/y
                         paths are read from the shot table, e.g. /%/shots/det_shift_x_mm mm)
  --cell FILE            CrystFEL unit cell file (the refined cell)
  --out FILE             output stream (written to FILE.partial, renamed when complete)
  --int-radius A,B,C     peak radius and background annulus, px (default 3,4,6)
  --profile-radius R     reciprocal profile radius, nm⁻¹ (default 0.02; realistic < 0.05)
  --min-peaks N          minimum peaks to try indexing (default 15)
  -j N / --j N           worker threads (default: number of cores)
  --resume               keep complete chunks of an existing FILE.partial and skip their shots
  --no-integrate         write crystals without reflections (no frames read)`;

/**
 * INPUT arguments with list files (.lst, data-model.md §6) replaced by the unique files they name
 * (relative names: against the working directory if the file exists there, else the list's folder).
 */
export function expandInputs(inputs: readonly string[]): string[] {
  return expandFileSpecs(inputs).files;
}

export async function runIndexCli(args: string[], mode: "index" | "integrate", usage: string): Promise<number> {
  const argv = args.map((a) => (a === "-j" ? "--j" : a));
  const p = parseArgs(argv, commonSpec);
  if (p.flags.has("help")) { process.stdout.write(usage); return 0; }
  const need = (k: string): string => { const v = getString(p, k); if (!v) throw new Error(`missing --${k} (see --help)`); return v; };
  const geomPath = need("geom"), cellPath = need("cell"), outStream = need("out");
  if (p.positional.length === 0) throw new Error("no INPUT files given (see --help)");
  const ir = (getString(p, "int-radius") ?? "3,4,6").split(",").map(Number);
  if (ir.length !== 3 || ir.some((v) => !(v > 0))) throw new Error(`--int-radius: expected three positive numbers like 3,4,6, got '${getString(p, "int-radius")}'`);
  let frames: [number, number] | undefined;
  const fr = getString(p, "frames");
  if (fr !== undefined) {
    const m = /^(-?\d+)(?:-(-?\d+))?$/.exec(fr);
    if (!m) throw new Error(`--frames: expected a range like 1-4, got '${fr}'`);
    frames = [Number(m[1]), Number(m[2] ?? m[1])];
  }
  const solPath = mode === "integrate" ? need("sol") : undefined;
  const indexing = {
    ...(getString(p, "match-tol") !== undefined ? { matchTolInvNm: getNumber(p, "match-tol", 0.02, { min: 0 }) } : {}),
    ...(getString(p, "min-fraction") !== undefined ? { minFraction: getNumber(p, "min-fraction", 0.25, { min: 0 }) } : {}),
    ...(getString(p, "max-lattices") !== undefined ? { maxLattices: getNumber(p, "max-lattices", 3, { integer: true, min: 1 }) } : {}),
    ...(getString(p, "seed-peaks") !== undefined ? { seedPeaks: getNumber(p, "seed-peaks", 8, { integer: true, min: 2 }) } : {}),
    ...(p.flags.has("no-refine-cell") ? { refineCell: false } : {}),
  };
  const ac = new AbortController();
  const onSig = (): void => { process.stderr.write("\ninterrupt: finishing shots in flight, then stopping (resume with --resume)\n"); ac.abort(); };
  process.on("SIGINT", onSig);
  process.on("SIGTERM", onSig);
  let bar: ReturnType<typeof progressBar> | null = null;
  try {
    const o: RunIndexOptions = {
      geomPath, cellPath, inputs: expandInputs(p.positional), outStream,
      ...(mode === "index" && getString(p, "sol") ? { outSol: getString(p, "sol")! } : {}),
      ...(solPath ? { solPath } : {}),
      ...(frames ? { frames } : {}),
      threads: getNumber(p, "j", availableParallelism(), { integer: true, min: 1 }),
      profileRadiusInvNm: getNumber(p, "profile-radius", 0.02, { min: 1e-6 }),
      minPeaks: getNumber(p, "min-peaks", mode === "index" ? 15 : 0, { integer: true, min: 0 }),
      rings: { innerPx: ir[0]!, middlePx: ir[1]!, outerPx: ir[2]! },
      integrate: !p.flags.has("no-integrate"),
      resume: p.flags.has("resume"),
      indexing, signal: ac.signal,
      onProgress: (done, total, indexed) => { bar ??= progressBar(mode === "index" ? "indexing" : "integrating", total, "shots"); bar.update(done, `${indexed} indexed`); },
      commandLine: `serialed ${mode} ${args.join(" ")}`,
    };
    const r = await runIndex(o);
    if (bar) (bar as ReturnType<typeof progressBar>).finish(`${r.indexed} indexed`);
    for (const f of r.failures.slice(0, 20)) process.stderr.write(`warning: ${f}\n`);
    if (r.failures.length > 20) process.stderr.write(`warning: … ${r.failures.length - 20} more\n`);
    process.stdout.write(`${mode}: ${r.shots} shots (${r.skipped} resumed), ${r.indexed} indexed (${r.shots > 0 ? ((100 * (r.indexed + 0)) / Math.max(1, r.shots - r.skipped)).toFixed(1) : "0"}% of processed), ${r.crystals} crystals\n`);
    if (r.cancelled) { process.stderr.write(`cancelled: partial output in ${outStream}.partial (run again with --resume)\n`); return 130; }
    process.stdout.write(`wrote ${outStream}${o.outSol ? ` and ${o.outSol}` : ""}\n`);
    return 0;
  } finally {
    process.off("SIGINT", onSig);
    process.off("SIGTERM", onSig);
  }
}
