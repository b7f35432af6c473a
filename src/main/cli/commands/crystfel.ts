/** `serialed crystfel detect|command …`: the optional CrystFEL engine. */
import { getNumber, getString, parseArgs } from "../args.ts";
import { describeInstall, detectCrystfel } from "../../crystfel/crystfel-detect.ts";
import { checkHklArgs, DIFFRACTEM_INDEXING_DEFAULTS, DIFFRACTEM_INTEGRATION_DEFAULTS, indexamajigArgs, partialatorArgs } from "../../crystfel/crystfel-options.ts";
import { shellJoin } from "../../jobs/command-line.ts";
import { existsSync } from "node:fs";
import { crystfelStats, readCheckHkl, readCompareHkl } from "../../crystfel/crystfel-outputs.ts";
import { solEntriesFromChunks } from "../../../core/formats/stream-to-sol.ts";
import { formatSol } from "../../../core/formats/sol-file.ts";
import type { SolEntry } from "../../../core/formats/sol-file.ts";
import { readStreamChunks } from "../../stream/stream-index.ts";
import { shellTable, toJson } from "../../merge/stats-report.ts";
import type { ShellReportRow } from "../../merge/stats-report.ts";
import { writeFileAtomic } from "../../merge/write-atomic.ts";

export const summary = "find CrystFEL programs and versions; print the command lines the pipeline would run";

export const usage = `Usage:
  serialed crystfel detect [--json]
      Lists indexamajig, partialator, check_hkl, compare_hkl, ambigator, list_events (…) found on
      PATH with their versions, and whether the CrystFEL engine is usable.
  serialed crystfel command indexamajig --lst L --geom G --cell C --out S [--sol SOL] [-j N]
  serialed crystfel command partialator --stream S --out HKL --symmetry PG [--model M --iterations N] [-j N]
  serialed crystfel command check_hkl --hkl HKL --cell C --symmetry PG [--shell-file F]
      Prints the command line generated the way diffractem does it (defaults of crystfel-formats §3–4;
      with --sol: integration with --indexing=file and an absolute solution path).
  serialed crystfel stats --check SHELLS.dat [--check-log CHECK.txt] [--compare FOM.dat …]
                          [--hkl MERGED.hkl] [--symmetry PG] --json stats.json
      Converts check_hkl / compare_hkl --shell-file tables (and their terminal output: --check-log,
      and <FOM>.txt beside each --compare table when present) into the statistics JSON of
      serialed stats (per shell and overall: completeness, multiplicity, I/σ, CC½, CC*, Rsplit).
  serialed crystfel sol STREAM … --out run.sol
      Solution file for --indexing=file from indexed streams: one line per crystal (a*, b*, c*,
      detector shift, lattice symbol), as diffractem's stream2sol.`;

export async function run(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === "detect") {
    const a = parseArgs(rest, { json: { value: false } });
    const inst = await detectCrystfel();
    console.log(a.flags.has("json") ? JSON.stringify(inst, null, 2) : describeInstall(inst));
    return 0;
  }
  if (sub === "command") {
    const [prog, ...r] = rest;
    const a = parseArgs(r.map((x) => (x === "-j" ? "--j" : x)), { lst: { value: true }, geom: { value: true }, cell: { value: true }, out: { value: true }, sol: { value: true }, j: { value: true }, stream: { value: true }, symmetry: { value: true }, model: { value: true }, iterations: { value: true }, hkl: { value: true }, "shell-file": { value: true } });
    const need = (k: string): string => { const v = getString(a, k); if (!v) throw new Error(`${prog}: --${k} is required`); return v; };
    const threads = getNumber(a, "j", 1, { integer: true, min: 1 });
    let argv: string[];
    if (prog === "indexamajig") {
      const sol = getString(a, "sol");
      const options = sol ? { ...DIFFRACTEM_INTEGRATION_DEFAULTS, "fromfile-input-file": sol } : DIFFRACTEM_INDEXING_DEFAULTS;
      argv = indexamajigArgs({ input: need("lst"), output: need("out"), geometry: need("geom"), cell: need("cell"), threads, options, cwd: process.cwd() });
    } else if (prog === "partialator") {
      argv = partialatorArgs({ input: need("stream"), output: need("out"), symmetry: need("symmetry"), threads, options: { model: getString(a, "model") ?? "unity", iterations: getNumber(a, "iterations", 1, { integer: true, min: 0 }) } });
    } else if (prog === "check_hkl") {
      const sf = getString(a, "shell-file");
      argv = checkHklArgs({ hkl: need("hkl"), cell: need("cell"), symmetry: need("symmetry"), options: sf ? { "shell-file": sf } : {} });
    } else {
      throw new Error(`crystfel command: unknown program '${prog ?? ""}' (indexamajig, partialator, check_hkl)`);
    }
    console.log(shellJoin([prog, ...argv]));
    return 0;
  }
  if (sub === "stats") return stats(rest);
  if (sub === "sol") return sol(rest);
  console.error(usage);
  return 2;
}

function stats(args: string[]): number {
  const a = parseArgs(args, { check: { value: true }, "check-log": { value: true }, compare: { value: true, multiple: true }, hkl: { value: true }, symmetry: { value: true }, json: { value: true } });
  const checkFile = getString(a, "check"), json = getString(a, "json");
  if (!checkFile || !json) throw new Error("crystfel stats: --check SHELLS.dat and --json OUT are required");
  const check = readCheckHkl(checkFile, getString(a, "check-log"));
  const compares = (a.options.get("compare") ?? []).map((f) => {
    const log = f.replace(/\.dat$/, "") + ".txt";
    return readCompareHkl(f, f.endsWith(".dat") && existsSync(log) ? log : undefined);
  });
  const out = crystfelStats({ check, compares, file: getString(a, "hkl") ?? checkFile, symmetry: getString(a, "symmetry") ?? null });
  process.stdout.write(shellTable(out["shells"] as ShellReportRow[]));
  writeFileAtomic(json, toJson(out));
  return 0;
}

async function sol(args: string[]): Promise<number> {
  const a = parseArgs(args, { out: { value: true } });
  const out = getString(a, "out");
  if (!out || a.positional.length === 0) throw new Error("crystfel sol: need STREAM … and --out run.sol");
  const entries: SolEntry[] = [];
  for (const path of a.positional) {
    const e: SolEntry[] = [];
    for await (const r of readStreamChunks(path)) {
      if (r.error) throw new Error(`crystfel sol: ${r.error.message.startsWith(path) ? "" : `${path}: `}${r.error.message}`);
      e.push(...solEntriesFromChunks([r.chunk])); // crystals only; the reflection tables are dropped chunk by chunk
    }
    if (e.length === 0) throw new Error(`crystfel sol: ${path}: no indexed crystals (no '--- Begin crystal' block), nothing to integrate`);
    entries.push(...e);
  }
  writeFileAtomic(out, formatSol(entries));
  console.error(`${entries.length} crystals from ${a.positional.length} stream(s) written to ${out}`);
  return 0;
}
