/**
 * Browser mode on a freshly simulated dataset (serialed simulate): keyboard and mouse navigation,
 * crosshair at the true pattern centre, peak circles on the true spots, query box, map clicks.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { BrowserContext, Page } from "playwright-core";
import { root, screenshot, serveAndOpen, truthRows, waitForShot, type Served } from "./e2e-helpers.ts";

interface TruthShot { shot: number; crystal: number; frame: number; cx: number; cy: number }
interface Spot { shot: number; fs: number; ss: number; counts: number }

const MIN_COUNTS = 40;
// Evaluated in the page as strings (tsx would otherwise inject helpers the page does not have).
const HOOK = "window.__serialed";
const waitForRowCount = (page: Page, n: number): Promise<unknown> =>
  page.waitForFunction((k) => (document.querySelector("[data-testid=row-count]")?.textContent ?? "").startsWith(`${k} /`), n, { timeout: 15_000 });
const st = (page: Page): Promise<{ shotIndex: number; hitsOnly: boolean }> => page.evaluate(`${HOOK}.state()`) as never;

describe("viewer on a simulated dataset", () => {
  let dir: string;
  let truth: TruthShot[];
  let spots: Spot[];
  let served: Served;
  let ctx: BrowserContext;
  let page: Page;
  let errors: string[];

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "serialed-e2e-sim-"));
    execFileSync(process.execPath, [join(root, "bin", "serialed.mjs"), "simulate", "--out", dir, "--crystals", "6", "--frames", "3", "--seed", "11", "--workers", "0", "--spots-min-counts", String(MIN_COUNTS)], { stdio: "pipe" });
    execFileSync("/usr/bin/python3", [join(root, "test", "e2e", "add-truth-peaks.py"), join(dir, "sim_r01.h5"), join(dir, "truth", "spots.csv"), String(MIN_COUNTS)], { stdio: "pipe" });
    const rows = (f: string): Record<string, string>[] => truthRows(dir, f);
    truth = rows("shots.csv").map((r) => ({ shot: Number(r["shot"]), crystal: Number(r["crystal_id"]), frame: Number(r["frame"]), cx: Number(r["center_x"]), cy: Number(r["center_y"]) }));
    spots = rows("spots.csv").map((r) => ({ shot: Number(r["shot"]), fs: Number(r["fs"]), ss: Number(r["ss"]), counts: Number(r["counts"]) }));
    ({ served, ctx, page, errors } = await serveAndOpen([join(dir, "sim.lst"), join(dir, "truth", "geometry.geom")]));
  });
  after(async () => { await ctx?.close(); await served?.stop(); });

  it("steps with → and j, and the crosshair sits at the true pattern centre", async () => {
    const errs: number[] = [];
    for (let k = 0; k < 10; k++) {
      const shot = (await st(page)).shotIndex;
      await waitForShot(page, shot);
      const o = (await page.evaluate(`({ c: ${HOOK}.overlays.crosshair, src: ${HOOK}.overlays.centreSource })`)) as { c: [number, number]; src: string };
      const t = truth[shot]!;
      assert.equal(o.src, "direct beam");
      errs.push(Math.hypot(o.c[0] - t.cx, o.c[1] - t.cy));
      await page.keyboard.press(k % 2 ? "ArrowRight" : "j");
      await waitForShot(page, shot + 1);
    }
    errs.sort((a, b) => a - b);
    const median = errs[errs.length >> 1]!;
    console.log(`crosshair vs true centre over 10 shots: median ${median.toFixed(3)} px, max ${errs[errs.length - 1]!.toFixed(3)} px`);
    assert.ok(median < 0.3, `median crosshair error ${median} px`);
    assert.ok(errs[errs.length - 1]! < 1.5, `max crosshair error ${errs[errs.length - 1]} px`);
    // Beam centres came from the analysis Web Worker, never from the page's main thread.
    const an = (await page.evaluate(`${HOOK}.analysis`)) as { worker: number; inline: number };
    assert.equal(an.inline, 0);
    assert.ok(an.worker >= 10, `frames analysed in the worker: ${an.worker}`);
    // k goes back.
    await page.keyboard.press("k");
    await waitForShot(page, 9);
  });

  it("draws peak circles exactly on the true spots, and the pixels there are bright", async () => {
    const hit = truth.find((t) => t.crystal >= 0 && spots.filter((s) => s.shot === t.shot).length >= 5)!;
    await page.keyboard.press("g");
    await page.fill("[data-testid=goto]", String(hit.shot));
    await page.keyboard.press("Enter");
    await waitForShot(page, hit.shot);
    const p = (await page.evaluate(`({ fs: Array.from(${HOOK}.overlays.peaks.fs), ss: Array.from(${HOOK}.overlays.peaks.ss) })`)) as { fs: number[]; ss: number[] };
    const expect = spots.filter((s) => s.shot === hit.shot);
    assert.equal(p.fs.length, expect.length);
    for (let i = 0; i < expect.length; i++) {
      assert.ok(Math.abs(p.fs[i]! - expect[i]!.fs) < 1e-3 && Math.abs(p.ss[i]! - expect[i]!.ss) < 1e-3, `peak ${i}`);
    }
    // Pixel analysis on the rendered frame: spots are brighter than the frame's median.
    const vals = (await page.evaluate(`(${JSON.stringify(expect.map((s) => [s.fs, s.ss]))}).map(([x, y]) => ${HOOK}.pixelAt(x, y))`)) as number[];
    const median = (await page.evaluate(`${HOOK}.frameMedian()`)) as number;
    const brighter = vals.filter((v) => v > median + 3 * Math.sqrt(Math.max(median, 1))).length;
    assert.ok(brighter / vals.length > 0.8, `${brighter}/${vals.length} spot pixels above background (median ${median})`);
    await screenshot(page, "sim-peaks");
  });

  it("filters the table with the query box and shows errors with a caret", async () => {
    const expected = truth.filter((t) => t.frame >= 1 && t.crystal >= 0).length;
    await page.fill("[data-testid=query]", "frame >= 1 and crystal_id >= 0");
    await page.press("[data-testid=query]", "Enter");
    await waitForRowCount(page, expected);
    const rows = (await page.evaluate(`${HOOK}.visibleRows()`)) as number[];
    assert.deepEqual(rows, truth.filter((t) => t.frame >= 1 && t.crystal >= 0).map((t) => t.shot));
    await page.fill("[data-testid=query]", "frame >= 1 and nosuchcolumn > 2");
    await page.press("[data-testid=query]", "Enter");
    await page.waitForSelector("[data-testid=query-error]");
    const text = (await page.textContent("[data-testid=query-error] pre"))!;
    const [q, caret] = text.split("\n");
    assert.equal(q, "frame >= 1 and nosuchcolumn > 2");
    assert.equal(caret!.indexOf("^"), q!.indexOf("nosuchcolumn"));
    assert.match((await page.textContent("[data-testid=query-error]"))!, /nosuchcolumn/);
    await screenshot(page, "sim-query-error");
    await page.fill("[data-testid=query]", "");
    await page.press("[data-testid=query]", "Enter");
    await waitForRowCount(page, truth.length);
    // A click on a table row jumps to that shot.
    await page.click("[data-shot='4']");
    await waitForShot(page, 4);
  });

  it("clicking a crystal on the map selects its first shot; n/End/Home/h navigate", async () => {
    const m = (await page.evaluate(`${HOOK}.map`)) as { markers: { id: number; x: number; y: number }[]; view: { s: number; ox: number; oy: number }; canvasRect: { left: number; top: number } };
    const withShots = m.markers.filter((mk) => truth.some((t) => t.crystal === mk.id));
    const target = withShots[withShots.length - 1]!;
    await page.mouse.click(m.canvasRect.left + m.view.ox + target.x * m.view.s, m.canvasRect.top + m.view.oy + target.y * m.view.s);
    const first = truth.filter((t) => t.crystal === target.id).sort((a, b) => a.frame - b.frame)[0]!;
    await waitForShot(page, first.shot);
    assert.equal((await page.evaluate(`${HOOK}.map.current`)) as number, target.id);
    await screenshot(page, "sim-map-click");
    await page.keyboard.press("End");
    const last = truth.filter((t) => t.crystal === target.id).sort((a, b) => b.frame - a.frame)[0]!;
    await waitForShot(page, last.shot);
    await page.keyboard.press("Home");
    await waitForShot(page, first.shot);
    await page.keyboard.press("Home");
    // n: next crystal (in table order) — a different crystal id, at its first frame.
    await page.click("[data-shot='0']");
    await waitForShot(page, 0);
    await page.keyboard.press("n");
    const c1 = truth.find((t) => t.crystal >= 0)!;
    await waitForShot(page, c1.shot);
    // h: hits only = shots with ≥ 10 found peaks (here: the true spots written as CXI peaks).
    await page.keyboard.press("h");
    const rows = (await page.evaluate(`${HOOK}.visibleRows()`)) as number[];
    const hits = truth.filter((t) => spots.filter((s) => s.shot === t.shot).length >= 10).map((t) => t.shot);
    assert.ok(hits.length > 0 && hits.length < truth.length);
    assert.deepEqual(rows, hits);
    assert.ok((await st(page)).hitsOnly);
    await page.keyboard.press("?");
    await page.waitForSelector("[data-testid=help]");
    await screenshot(page, "sim-help");
    await page.keyboard.press("Escape");
    assert.deepEqual(errors, []);
  });
});
