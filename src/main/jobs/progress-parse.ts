/**
 * Progress from log lines of the programs we run: serialed's progress bar
 * ("label [###---] 12/40 frames 30% ..." and "label: 40 frames in 3.1 s"), CrystFEL indexamajig
 * ("21 images processed, 21 hits ...", "Final: 30 images processed ...") and partialator
 * ("Scaling and refinement cycle 1 of 3", "Final merge...").
 */
import type { JobProgress } from "./job-record.ts";

const BAR = /\]\s+(\d+)\/(\d+)\s+(\S+)\s+\d+%/;
const BAR_DONE = /^[^:[]+:\s+(\d+)\s+\S+\s+in\s+[\d.]+\s+s/;
const INDEXAMAJIG = /^(Final: )?(\d+) images processed, (\d+) hits .*?(\d+) indexable.*?(\d+) crystals/;
const PARTIALATOR_CYCLE = /^Scaling and refinement cycle (\d+) of (\d+)/;

/** Progress from one line, or undefined if the line says nothing about progress. `total` fills in unknown totals. */
export function parseProgressLine(line: string, total?: number): JobProgress | undefined {
  const l = line.replace(/\r/g, "").replace(new RegExp(String.fromCharCode(27) + "\\[K", "g"), "").trim();
  let m = BAR.exec(l);
  if (m) return { done: Number(m[1]), total: Number(m[2]), note: m[3]! };
  m = INDEXAMAJIG.exec(l);
  if (m) {
    const done = Number(m[2]);
    return { done, total: m[1] ? done : Math.max(total ?? 0, done), note: `${m[3]} hits, ${m[4]} indexable, ${m[5]} crystals` };
  }
  m = PARTIALATOR_CYCLE.exec(l);
  if (m) return { done: Number(m[1]) - 1, total: Number(m[2]), note: "refinement cycles" };
  if (/^Final merge\.\.\./.test(l)) return { done: 1, total: 1, note: "final merge" };
  m = BAR_DONE.exec(l);
  if (m) return { done: Number(m[1]), total: Number(m[1]) };
  return undefined;
}

/** Last progress found in a block of text (log tail). */
export function lastProgress(text: string, total?: number): JobProgress | undefined {
  const lines = text.split(/[\n\r]/);
  for (let i = lines.length - 1; i >= 0; i--) {
    const p = parseProgressLine(lines[i]!, total);
    if (p) return p;
  }
  return undefined;
}
