/**
 * Chromium: the ellipticity & cell pane (polar histograms before/after the correction, radial
 * profile, powder and pair curves, refined cell) renders for a pre-processed simulated dataset, and
 * the live tuning panel re-analyses the current pattern when a peak-finder option changes.
 * The demo project (createDemoProject) beside the data is opened by the wizard automatically.
 * Screenshots in test-output/e2e/wizard/.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { BrowserContext, Page } from "playwright-core";
import { createDemoProject } from "../../src/main/host/pipeline-demo.ts";
import { ensureRendererBuilt } from "../../src/main/web/serve-app.ts";
import { collectErrors, launchBrowser, root, shotsDir, startServe, type Served } from "./e2e-helpers.ts";

const outDir = join(shotsDir, "wizard");
const shot = async (page: Page, name: string): Promise<void> => { mkdirSync(outDir, { recursive: true }); await page.screenshot({ path: join(outDir, `${name}.png`), fullPage: true }); };

describe("geometry pane and live tuning (chromium)", { timeout: 900_000 }, () => {
  let dir: string, served: Served, ctx: BrowserContext;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "wizard-plots-"));
    const data = join(dir, "data");
    execFileSync(process.execPath, [join(root, "bin", "serialed.mjs"), "simulate", "--out", data, "--crystals", "20", "--frames", "2", "--seed", "3", "--workers", "2"], { stdio: "ignore" });
    const project = createDemoProject(data, join(data, "sim.lst"));
    execFileSync(process.execPath, [join(root, "bin", "serialed.mjs"), "run", project, "--until", "centre-peaks"], { stdio: "ignore" });
    await ensureRendererBuilt(true);
    served = await startServe([join(data, "sim.lst"), join(data, "truth", "geometry.geom")]);
    ctx = await launchBrowser();
  });
  after(async () => { await ctx?.close(); await served?.stop(); });

  it("shows the polar histograms before/after, powder/pair curves and the refined cell", async () => {
    const page = await ctx.newPage();
    const errors = collectErrors(page);
    await page.goto(served.url); // the demo project beside the data switches to the wizard by itself
    await page.waitForSelector("[data-testid=step-geometry]", { timeout: 60_000 });
    await page.click("[data-testid=step-geometry]");
    await page.waitForSelector("[data-testid=polar-before][data-rendered='1']", { timeout: 120_000 });
    await page.waitForSelector("[data-testid=polar-after][data-rendered='1']", { timeout: 30_000 });
    await page.waitForSelector("[data-testid=powder][data-rendered='1']", { timeout: 30_000 });
    const ratio = Number(await page.locator("[data-testid=ell-ratio]").textContent());
    assert.ok(Math.abs(ratio - 1.018) < 0.005, `ellipticity ratio ${ratio} (simulated 1.018)`);
    const cell = await page.locator("[data-testid=refined-cell]").textContent();
    const a = Number(/a = ([\d.]+)/.exec(cell ?? "")?.[1]);
    assert.ok(Math.abs(a - 79.1) < 1.5, `refined a ${a} Å (${cell})`);
    // heatmaps drawn: plotly's heatmap image is present in both panes
    for (const id of ["polar-before", "polar-after"]) assert.ok(await page.locator(`[data-testid=${id}] .hm, [data-testid=${id}] image`).count() > 0, `${id} heatmap`);
    await shot(page, "20-geometry-polar");
    assert.deepEqual(errors, []);
  });

  it("re-analyses the current pattern when a peak-finder option changes", async () => {
    const page = await ctx.newPage();
    const errors = collectErrors(page);
    await page.goto(`${served.url}#wizard`);
    await page.waitForSelector("[data-testid=step-centre-peaks]", { timeout: 60_000 });
    await page.click("[data-testid=step-centre-peaks]");
    type T = { __serialed: { tune?: { shot: number; nPeaks: number; analysisMs: number; roundTripMs: number; drawnIn: string } } };
    // the first diffraction frame with a crystal (shot 0 and non-hits have no peaks)
    let first = { shot: -1, nPeaks: 0, analysisMs: 0, roundTripMs: 0 };
    for (let s = 1; s < 20 && first.nPeaks < 20; s++) {
      await page.fill("[data-testid=tune-shot]", String(s));
      await page.waitForFunction((x) => (window as unknown as T).__serialed.tune?.shot === x, s, { timeout: 30_000 });
      first = await page.evaluate(() => (window as unknown as T).__serialed.tune!);
    }
    assert.ok(first.nPeaks >= 20, `a frame with ≥ 20 peaks among shots 1–19 (last: ${first.nPeaks})`);
    await page.fill("[data-testid='tune-peak_search_params.min-snr']", "15");
    await page.waitForFunction((n) => (window as unknown as T).__serialed.tune!.nPeaks !== n, first.nPeaks, { timeout: 30_000 });
    const strict = await page.evaluate(() => (window as unknown as T).__serialed.tune!);
    assert.ok(strict.nPeaks < first.nPeaks, `SNR 15 finds fewer peaks (${strict.nPeaks}) than the default (${first.nPeaks})`);
    assert.equal(strict.drawnIn, "preview", "the wizard's panel draws its own preview (the pattern pane is hidden there)");
    // round-trip times over a few changes (reported, not asserted: the machine is shared)
    const times: number[] = [];
    for (const v of ["6", "7", "8", "9", "10"]) {
      await page.fill("[data-testid='tune-peak_search_params.min-snr']", v);
      await page.waitForTimeout(400);
      times.push(await page.evaluate(() => (window as unknown as T).__serialed.tune!.roundTripMs));
    }
    times.sort((x, y) => x - y);
    console.log(`tuning: ${first.nPeaks} peaks at the default SNR, ${strict.nPeaks} at SNR 15; analysis ${first.analysisMs.toFixed(0)} ms, median round trip ${times[2]!.toFixed(0)} ms`);
    await shot(page, "21-tuning");
    assert.deepEqual(errors, []);
  });
});
