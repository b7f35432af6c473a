/**
 * Chromium: live tuning in the viewer. The tuning side panel re-analyses the shown pattern when an
 * option changes and the pattern pane draws the result (peaks, centre) as its own overlay layer: a
 * stricter peak-finder option gives fewer or equal overlays, the overlays sit on the simulator's true
 * spots and the centre on the true centre (stored CXI peaks = strong true spots stay drawn beside them
 * in their own layer), the layer can be hidden, and "Save options as YAML" writes
 * a file parsePreProcOpts reads back with the changed values. Times are printed, not asserted.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { BrowserContext, Page } from "playwright-core";
import { parsePreProcOpts } from "../../src/core/options/preproc-opts.ts";
import { ensureRendererBuilt } from "../../src/main/web/serve-app.ts";
import { root, screenshot, serveAndOpen, truthRows, waitForShot, type Served } from "./e2e-helpers.ts";

interface Tune { serial: number; shot: number; nPeaks: number; centre: [number, number]; fs: number[]; ss: number[]; analysisMs: number; hostMs: number; roundTripMs: number; drawnIn: string }
interface Drawn { peaks: number; fs: number[]; ss: number[]; centre: [number, number] | null }

const tuneOf = (page: Page): Promise<Tune> => page.evaluate("window.__serialed.tune") as Promise<Tune>;
/** What the pattern canvas holds in its tuning layer (null when hidden). */
const drawn = (page: Page): Promise<Drawn | null> => page.evaluate(`(() => { const t = window.__serialed.canvas.scene().tuning;
  return t ? { peaks: t.peaks.fs.length, fs: Array.from(t.peaks.fs), ss: Array.from(t.peaks.ss), centre: t.centre ? [t.centre[0], t.centre[1]] : null } : null; })()`) as Promise<Drawn | null>;
/** Waits for the answer to the next change (serial beyond `after`), drawn in the pattern pane. */
const nextTune = async (page: Page, after: number): Promise<Tune> => {
  await page.waitForFunction((s) => { const t = (window as unknown as { __serialed: { tune?: { serial: number; drawnIn: string } } }).__serialed.tune; return t !== undefined && t.serial > s && t.drawnIn === "pattern"; }, after, { timeout: 60_000 });
  return tuneOf(page);
};

describe("live tuning in the viewer (chromium)", { timeout: 600_000 }, () => {
  let dir: string, served: Served, ctx: BrowserContext, page: Page, errors: string[];
  let spots: { shot: number; fs: number; ss: number }[];
  let shots: { shot: number; hit: number; nSpots: number; cx: number; cy: number }[];

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "serialed-e2e-tune-"));
    execFileSync(process.execPath, [join(root, "bin", "serialed.mjs"), "simulate", "--out", dir, "--crystals", "6", "--frames", "2", "--seed", "11", "--workers", "2"], { stdio: "pipe" });
    // stored peaks (CXI arrays) = the strong true spots, so that both layers are on screen together
    execFileSync("/usr/bin/python3", [join(root, "test", "e2e", "add-truth-peaks.py"), join(dir, "sim_r01.h5"), join(dir, "truth", "spots.csv"), "150"], { stdio: "pipe" });
    const rows = (f: string): Record<string, string>[] => truthRows(dir, f);
    spots = rows("spots.csv").map((r) => ({ shot: Number(r["shot"]), fs: Number(r["fs"]), ss: Number(r["ss"]) }));
    shots = rows("shots.csv").map((r) => ({ shot: Number(r["shot"]), hit: Number(r["hit"]), nSpots: Number(r["n_spots"]), cx: Number(r["center_x"]), cy: Number(r["center_y"]) }));
    await ensureRendererBuilt();
    ({ served, ctx, page, errors } = await serveAndOpen([join(dir, "sim.lst"), join(dir, "truth", "geometry.geom")]));
  });
  after(async () => { await ctx?.close(); await served?.stop(); });

  it("a stricter option draws fewer or equal tuning overlays, on true spots, in the pattern pane", async () => {
    // the diffraction frame with the most simulated spots
    const target = shots.filter((s) => s.hit === 1).sort((a, b) => b.nSpots - a.nSpots)[0]!;
    const truth = spots.filter((s) => s.shot === target.shot);
    await page.click("[data-testid=tune-open]");
    await page.waitForSelector("[data-testid=tuning]");
    await page.fill("[data-testid=tune-shot]", String(target.shot));
    await waitForShot(page, target.shot);
    await page.waitForFunction((s) => (window as unknown as { __serialed: { tune?: { shot: number; drawnIn: string } } }).__serialed.tune?.shot === s, target.shot, { timeout: 120_000 });
    const base = await tuneOf(page);
    assert.equal(base.drawnIn, "pattern");
    const stored = (await page.evaluate("window.__serialed.overlays.peaks?.fs.length ?? 0")) as number;
    assert.ok(stored > 0, "the stored peaks are drawn too (their own layer)");

    // the overlays drawn are the result's, and they lie on true spots; the centre on the true centre
    const onTruth = (t: { fs: number[]; ss: number[] }): number => {
      let n = 0;
      for (let i = 0; i < t.fs.length; i++) if (truth.some((s) => Math.hypot(s.fs - t.fs[i]!, s.ss - t.ss[i]!) < 2.5)) n++;
      return n;
    };
    const check = async (t: Tune, what: string): Promise<Drawn> => {
      const d = (await drawn(page))!;
      assert.ok(d, `${what}: tuning layer drawn`);
      assert.equal(d.peaks, t.nPeaks, `${what}: one overlay per peak found`);
      assert.deepEqual(d.fs, t.fs);
      const hits = onTruth(d);
      assert.ok(hits >= 0.9 * d.peaks, `${what}: ${hits} of ${d.peaks} overlays within 2.5 px of a true spot`);
      assert.ok(d.centre && Math.hypot(d.centre[0] - target.cx, d.centre[1] - target.cy) < 1, `${what}: centre ${String(d.centre)} vs true (${target.cx}, ${target.cy})`);
      return d;
    };
    assert.ok(base.nPeaks >= 10, `default options find ${base.nPeaks} peaks on shot ${target.shot} (${truth.length} true spots)`);
    await check(base, "default options");

    const times: number[] = [base.roundTripMs];
    let last = base;
    const counts: [string, number][] = [["min SNR 5", base.nPeaks]];
    for (const v of ["6", "8", "10"]) {
      await page.fill("[data-testid='tune-peak_search_params.min-snr']", v);
      const t = await nextTune(page, last.serial);
      assert.ok(t.nPeaks <= last.nPeaks, `min SNR ${v}: ${t.nPeaks} peaks, more than ${last.nPeaks} at the lower threshold`);
      await check(t, `min SNR ${v}`);
      counts.push([`min SNR ${v}`, t.nPeaks]); times.push(t.roundTripMs);
      last = t;
    }
    assert.ok(last.nPeaks < base.nPeaks, `min SNR 10 finds fewer peaks (${last.nPeaks}) than 5 (${base.nPeaks})`);
    await page.fill("[data-testid='tune-peak_search_params.min-pix-count']", "4");
    const bigger = await nextTune(page, last.serial);
    assert.ok(bigger.nPeaks <= last.nPeaks, `min pixels 4: ${bigger.nPeaks} peaks vs ${last.nPeaks} with 2`);
    await check(bigger, "min pixels 4");
    counts.push(["+ min pixels 4", bigger.nPeaks]); times.push(bigger.roundTripMs);
    assert.match((await page.locator("[data-testid=tune-updated]").textContent()) ?? "", /^updated in \d+ ms$/);
    console.log(`tuning shot ${target.shot} (${truth.length} true spots): ${counts.map(([k, n]) => `${k}: ${n}`).join(", ")}; change → overlays drawn ${times.map((x) => x.toFixed(0)).join(", ")} ms (host analysis ${bigger.analysisMs.toFixed(0)} ms of ${bigger.hostMs.toFixed(0)} ms)`);
    await page.fill("[data-testid='tune-peak_search_params.min-snr']", "7");
    await page.fill("[data-testid='tune-peak_search_params.min-pix-count']", "2");
    await nextTune(page, bigger.serial);
    await page.waitForTimeout(300); // coalesced: the last change may still be on its way
    const p = await screenshot(page, "tuning-overlays");
    console.log(`screenshot: ${p}`);

    // the layer can be hidden and shown again; closing the panel removes it
    await page.click("[data-testid=tune-overlay]");
    assert.equal(await drawn(page), null);
    await page.click("[data-testid=tune-overlay]");
    await page.waitForFunction(() => (window as unknown as { __serialed: { canvas: { scene(): { tuning: unknown } } } }).__serialed.canvas.scene().tuning !== null);
    assert.ok((await drawn(page))!.peaks > 0);
    assert.deepEqual(errors, []);
  });

  it("saves the tuned options as YAML that parsePreProcOpts reads back", async () => {
    await page.fill("[data-testid='tune-peak_search_params.min-snr']", "9.5");
    await page.fill("[data-testid='tune-peak_search_params.max-pix-count']", "40");
    const [download] = await Promise.all([page.waitForEvent("download"), page.click("[data-testid=tune-save]")]);
    const text = readFileSync((await download.path())!, "utf8");
    const { opts } = parsePreProcOpts(text, download.suggestedFilename());
    assert.equal(opts.peak_search_params["min-snr"], 9.5);
    assert.equal(opts.peak_search_params["max-pix-count"], 40);
    assert.equal(opts.peak_search_params["min-pix-count"], 2);
    await page.click("[data-testid=tune-open]"); // close
    assert.equal(await page.locator("[data-testid=tuning]").count(), 0);
    assert.equal(await drawn(page), null);
    assert.deepEqual(errors, []);
  });
});
