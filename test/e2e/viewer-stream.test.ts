/**
 * Browser mode on the CrystFEL fixture stream: lyso_ed.stream (+ sim_ed.h5 beside it, found via the
 * chunks' "Image filename") opens, shows frames, CXI peaks and the stream's predicted reflections.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import type { BrowserContext, Page } from "playwright-core";
import { collectErrors, launchBrowser, openViewer, screenshot, startServe, waitForShot, type Served } from "./e2e-helpers.ts";

const fixtures = "/work/shared/fixtures/crystfel";

interface Hook {
  renderedShot: number;
  overlays: { crosshair: [number, number] | null; peaks: { fs: Record<string, number>; ss: Record<string, number> } | null; predicted: { fs: Record<string, number> } | null; axes: unknown };
  state: () => { shotIndex: number; dataset: { nShots: number; stream: { nChunks: number; nCrystals: number } | null } };
}

describe("viewer on lyso_ed.stream", () => {
  let served: Served;
  let ctx: BrowserContext;
  let page: Page;
  let errors: string[];
  before(async () => {
    served = await startServe([`${fixtures}/lyso_ed.stream`]);
    ctx = await launchBrowser();
    page = await ctx.newPage();
    errors = collectErrors(page);
    await openViewer(page, served.url);
  });
  after(async () => { await ctx?.close(); await served?.stop(); });

  it("links the stream to its image file and shows 30 shots with 29 crystals", async () => {
    const st = await page.evaluate(() => (window as unknown as { __serialed: Hook }).__serialed.state().dataset);
    assert.equal(st.nShots, 30);
    assert.equal(st.stream?.nChunks, 30);
    assert.equal(st.stream?.nCrystals, 29);
    assert.match(await page.textContent("[data-testid=row-count]") ?? "", /30 \/ 30 shots/);
  });

  it("draws predicted reflections (squares) and CXI peaks for an indexed shot", async () => {
    await page.keyboard.press("ArrowRight");
    await page.keyboard.press("ArrowRight");
    await page.keyboard.press("ArrowRight");
    await waitForShot(page, 3);
    const o = await page.evaluate(() => { const h = (window as unknown as { __serialed: Hook }).__serialed; return { n: Object.keys(h.overlays.predicted?.fs ?? {}).length, np: Object.keys(h.overlays.peaks?.fs ?? {}).length, c: h.overlays.crosshair, axes: h.overlays.axes !== null }; });
    // Chunk //3 has one crystal with 1991 reflections; sim_ed.h5 frame 3 has 563 CXI peaks.
    assert.equal(o.n, 1991);
    assert.equal(o.np, 563);
    assert.ok(o.axes);
    // Crosshair at the geometry's beam position: corner (−770.30, −250.70) → CXI (769.80, 250.20).
    assert.ok(Math.abs(o.c![0] - 769.8) < 1e-6 && Math.abs(o.c![1] - 250.2) < 1e-6);
    assert.match(await page.textContent("[data-testid=info]") ?? "", /79\.\d\d, 79\.\d\d, 37\.\d\d Å/);
    await screenshot(page, "stream-shot3");
    assert.deepEqual(errors, []);
  });

  it("jumps to an Event id with g", async () => {
    await page.keyboard.press("g");
    await page.fill("[data-testid=goto]", "//28");
    await page.keyboard.press("Enter");
    await waitForShot(page, 28);
    // Chunk //28 is not indexed: no predictions.
    const n = await page.evaluate(() => (window as unknown as { __serialed: Hook }).__serialed.overlays.predicted);
    assert.equal(n, null);
  });
});
