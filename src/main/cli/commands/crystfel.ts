/** `serialed crystfel detect|command …`: the optional CrystFEL engine. */
import { getNumber, getString, parseArgs } from "../args.ts";
import { describeInstall, detectCrystfel } from "../../crystfel/crystfel-detect.ts";
import { checkHklArgs, DIFFRACTEM_INDEXING_DEFAULTS, DIFFRACTEM_INTEGRATION_DEFAULTS, indexamajigArgs, partialatorArgs } from "../../crystfel/crystfel-options.ts";
import { shellJoin } from "../../jobs/command-line.ts";

export const summary = "find CrystFEL programs and versions; print the command lines the pipeline would run";

export const usage = `Usage:
  serialed crystfel detect [--json]
      Lists indexamajig, partialator, check_hkl, compare_hkl, ambigator, list_events (…) found on
      PATH with their versions, and whether the CrystFEL engine is usable.
  serialed crystfel command indexamajig --lst L --geom G --cell C --out S [--sol SOL] [-j N]
  serialed crystfel command partialator --stream S --out HKL --symmetry PG [--model M --iterations N] [-j N]
  serialed crystfel command check_hkl --hkl HKL --cell C --symmetry PG [--shell-file F]
      Prints the command line generated the way diffractem does it (defaults of crystfel-formats §3–4;
      with --sol: integration with --indexing=file and an absolute solution path).`;

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
  console.error(usage);
  return 2;
}
