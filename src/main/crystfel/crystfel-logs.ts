/**
 * Parsing CrystFEL terminal output (everything goes to stderr): indexamajig's progress and final
 * summary, worker crashes and warnings; partialator's CC½ per cycle, bad crystals, read errors.
 */

export interface IndexamajigSummary {
  readonly imagesProcessed: number;
  readonly hits: number;
  readonly indexable: number;
  readonly crystals: number;
  /** True when the "Final:" line was seen (the run finished). */
  readonly final: boolean;
  /** "WARNING: ..." lines. */
  readonly warnings: readonly string[];
  /** "Worker N was killed by signal S" with the event being processed. */
  readonly workerCrashes: readonly { worker: number; signal: number; event?: string }[];
}

const PROGRESS = /^(Final: )?(\d+) images processed, (\d+) hits \([\d.]+%\), (\d+) indexable \([^)]*\), (\d+) crystals/;

export function parseIndexamajigLog(text: string): IndexamajigSummary {
  let s = { imagesProcessed: 0, hits: 0, indexable: 0, crystals: 0, final: false };
  const warnings: string[] = [];
  const crashes: { worker: number; signal: number; event?: string }[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!.trim();
    const m = PROGRESS.exec(l);
    if (m) { s = { imagesProcessed: Number(m[2]), hits: Number(m[3]), indexable: Number(m[4]), crystals: Number(m[5]), final: Boolean(m[1]) }; continue; }
    if (l.startsWith("WARNING:")) { warnings.push(l.slice(8).trim()); continue; }
    const w = /^Worker (\d+) was killed by signal (\d+)/.exec(l);
    if (w) {
      const ev = /^Event ID was: (.*)$/.exec(lines[i + 1]?.trim() ?? "");
      crashes.push(ev ? { worker: Number(w[1]), signal: Number(w[2]), event: ev[1]! } : { worker: Number(w[1]), signal: Number(w[2]) });
    }
  }
  return { ...s, warnings, workerCrashes: crashes };
}

export interface PartialatorSummary {
  /** Overall CC½ (%) and reflection count after each "Overall CChalf" line, in order. */
  readonly ccHalfHistory: readonly { ccHalfPercent: number; reflections: number }[];
  readonly finalCcHalfPercent?: number;
  readonly badCrystals?: number;
  readonly cycles: number;
  readonly wroteOutput?: string;
  /** Chunks partialator could not read ("Failed while reading reflections"). */
  readonly readErrors: readonly { filename?: string; event?: string }[];
}

export function parsePartialatorLog(text: string): PartialatorSummary {
  const hist: { ccHalfPercent: number; reflections: number }[] = [];
  const readErrors: { filename?: string; event?: string }[] = [];
  let bad: number | undefined, cycles = 0, wrote: string | undefined;
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!.trim();
    let m = /^Overall CChalf = ([-\d.naife]+) % \((\d+) reflections\)/.exec(l);
    if (m) { hist.push({ ccHalfPercent: Number(m[1]), reflections: Number(m[2]) }); continue; }
    m = /^(\d+) bad crystals:/.exec(l);
    if (m) { bad = Number(m[1]); continue; }
    m = /^Scaling and refinement cycle (\d+) of (\d+)/.exec(l);
    if (m) { cycles = Number(m[1]); continue; }
    m = /^Writing overall results to (.*)$/.exec(l);
    if (m) { wrote = m[1]!; continue; }
    if (/^Failed while reading reflections/.test(l)) {
      const f = /^Filename = (.*)$/.exec(lines[i + 1]?.trim() ?? "");
      const e = /^Event = (.*)$/.exec(lines[i + 2]?.trim() ?? "");
      readErrors.push({ ...(f ? { filename: f[1]! } : {}), ...(e ? { event: e[1]! } : {}) });
    }
  }
  const last = hist[hist.length - 1];
  return { ccHalfHistory: hist, ...(last ? { finalCcHalfPercent: last.ccHalfPercent } : {}), ...(bad !== undefined ? { badCrystals: bad } : {}), cycles, ...(wrote ? { wroteOutput: wrote } : {}), readErrors };
}
