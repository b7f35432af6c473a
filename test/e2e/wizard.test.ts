/**
 * End to end in chromium: `serialed serve` on a small simulated dataset (CRYSTALS × 3 frames), the
 * wizard creates a project and runs every step through real jobs with the built-in commands
 * (pre-processing, geometry fitted from the data, index first on a subset with a high peak count,
 * then on all, integrate, merge, validate with the statistics-vs-crystals curve, export); of the
 * simulator's truth only the starting cell is used. The exported MTZ (read with Debian's gemmi)
 * correlates with truth.hkl. Then `serialed run` on a copy of the project (same inputs and options,
 * no runs) reproduces the wizard's merged .hkl. Screenshots of every step in test-output/e2e/wizard/.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { execFile } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { BrowserContext, Page } from "playwright-core";
import { promisify } from "node:util";
import { loadProject, saveProject } from "../../src/main/project/project-store.ts";
import { ensureRendererBuilt } from "../../src/main/web/serve-app.ts";
import { collectErrors, launchBrowser, root, shotsDir, startServe, type Served } from "./e2e-helpers.ts";

const outDir = join(shotsDir, "wizard");
const STEP_TIMEOUT = 300_000;
/** Crystals simulated: the ellipticity fit and the cell refinement need a few dozen patterns. */
const CRYSTALS = 50;

/** Reflection lines of a CrystFEL .hkl (header and table up to "End of reflections"; the footer names the command, with its paths). */
function reflections(path: string): string {
  const t = readFileSync(path, "utf8");
  const end = t.indexOf("End of reflections");
  assert.ok(end > 0, `${path}: no "End of reflections" line`);
  return t.slice(0, end);
}

function latestRunDir(projectDir: string, step: string): string {
  const runs = readdirSync(join(projectDir, "runs")).filter((d) => d.startsWith(`${step}-`)).sort((a, b) => Number(a.slice(step.length + 1)) - Number(b.slice(step.length + 1)));
  assert.ok(runs.length > 0, `no ${step} run in ${projectDir}`);
  return join(projectDir, "runs", runs[runs.length - 1]!);
}

async function shot(page: Page, name: string): Promise<void> {
  mkdirSync(outDir, { recursive: true });
  await page.screenshot({ path: join(outDir, `${name}.png`), fullPage: true });
}

async function statusOf(page: Page, step: string): Promise<string> {
  return (await page.locator(`[data-testid=status-${step}]`).textContent()) ?? "";
}

/** Clicks Run on the selected step and waits until the step is up to date (fails fast on failure). */
type W = { __serialedWizard?: { active: unknown; steps: { step: string; status: string; lastRun: { id: string } | null }[] } };

async function runStep(page: Page, step: string): Promise<void> {
  await page.click(`[data-testid=step-${step}]`);
  const before = await page.evaluate((s) => (window as unknown as W).__serialedWizard?.steps.find((x) => x.step === s)?.lastRun?.id ?? null, step);
  await page.click("[data-testid=run-step]");
  await page.waitForFunction(([s, b]) => {
    const w = (window as unknown as W).__serialedWizard;
    const st = w?.steps.find((x) => x.step === s);
    if (!w || !st || !st.lastRun || st.lastRun.id === b) return false;
    return st.status === "failed" || (st.status === "up-to-date" && w.active === null);
  }, [step, before] as const, { timeout: STEP_TIMEOUT, polling: 500 });
  const st = await statusOf(page, step);
  if (st !== "up to date") throw new Error(`step ${step} ${st}: ${await page.locator("[data-testid=step-panel]").innerText()}`);
}

async function setOption(page: Page, key: string, value: string): Promise<void> {
  await page.fill(`[data-testid="opt-${key}"]`, value);
}

/** Laue group 4/mmm equivalents (with Friedel mates) → one canonical key. */
function key422(h: number, k: number, l: number): string {
  const eq: [number, number, number][] = [];
  for (const [a, b] of [[h, k], [-k, h], [-h, -k], [k, -h]] as const) { eq.push([a, b, l], [b, a, -l]); }
  const all = eq.flatMap(([a, b, c]) => [[a, b, c], [-a, -b, -c]]);
  return all.map((v) => v.join(",")).sort()[0]!;
}

function pearson(x: readonly number[], y: readonly number[]): number {
  const n = x.length, mx = x.reduce((a, b) => a + b, 0) / n, my = y.reduce((a, b) => a + b, 0) / n;
  let sxy = 0, sxx = 0, syy = 0;
  for (let i = 0; i < n; i++) { const dx = x[i]! - mx, dy = y[i]! - my; sxy += dx * dy; sxx += dx * dx; syy += dy * dy; }
  return sxy / Math.sqrt(sxx * syy);
}

describe("processing wizard (chromium, simulated data)", { timeout: 1_200_000 }, () => {
  let dir: string, served: Served, ctx: BrowserContext;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "wizard-e2e-"));
    execFileSync(process.execPath, [join(root, "bin", "serialed.mjs"), "simulate", "--out", join(dir, "data"), "--crystals", String(CRYSTALS), "--frames", "3", "--seed", "7", "--workers", "2"], { stdio: "ignore" });
    await ensureRendererBuilt(true);
    served = await startServe([join(dir, "data", "sim.lst")]); // no truth geometry: the geometry step fits it
    ctx = await launchBrowser();
  });
  after(async () => { await ctx?.close(); await served?.stop(); });

  it("drives every step from raw files to an MTZ that correlates with the truth", async () => {
    const page = await ctx.newPage();
    const errors = collectErrors(page);
    await page.goto(`${served.url}#wizard`);
    await page.waitForSelector("[data-testid=project-path]", { timeout: 60_000 });
    await shot(page, "00-project");
    const projectDir = join(dir, "project");
    await page.fill("[data-testid=project-path]", projectDir);
    await page.click("[data-testid=project-create]");
    await page.waitForSelector("[data-testid=step-import]");
    assert.ok(existsSync(join(projectDir, "project.yaml")), "project.yaml written");
    // no stand-ins: every step runs the plan's built-in command; the truth folder gives only the starting cell
    const created = loadProject(projectDir).project;
    for (const [s, c] of Object.entries(created.steps)) assert.equal(c?.command, undefined, `step ${s} has no custom command`);
    assert.equal(created.steps.geometry?.options["cell"], join(dir, "data", "truth", "lyso.cell"));

    await runStep(page, "import");
    await page.waitForSelector("[data-testid=results-import]");
    await shot(page, "01-import");
    // aggregation + corrections + centre/peaks are one preprocess job
    await runStep(page, "aggregate");
    await shot(page, "02-aggregate");
    assert.equal(await statusOf(page, "corrections"), "up to date");
    await page.click("[data-testid=step-corrections]");
    await shot(page, "03-corrections");
    await page.click("[data-testid=step-centre-peaks]");
    assert.equal(await statusOf(page, "centre-peaks"), "up to date");
    await shot(page, "04-centre-peaks");
    await runStep(page, "geometry");
    await page.waitForSelector("[data-testid=polar-after][data-rendered='1']", { timeout: 120_000 });
    await shot(page, "05-geometry");
    const geoDir = latestRunDir(projectDir, "geometry");
    const geom = readFileSync(join(geoDir, "geometry.geom"), "utf8"), cellText = readFileSync(join(geoDir, "geometry.cell"), "utf8");
    const ratio = Number(/Ellipticity correction with ratio ([\d.]+)/.exec(geom)?.[1]), angle = Number(/angle (-?[\d.]+) deg/.exec(geom)?.[1]);
    const a = Number(/^a = ([\d.]+)/m.exec(cellText)?.[1]), c = Number(/^c = ([\d.]+)/m.exec(cellText)?.[1]);
    console.log(`geometry step: ellipticity ${ratio.toFixed(4)} at ${angle.toFixed(1)}° (simulated 1.018 at 62°), refined cell a = ${a}, c = ${c} Å (simulated 79.1, 37.9)`);
    assert.ok(Math.abs(ratio - 1.018) < 0.01, `fitted ellipticity ratio ${ratio}`); // the fit's σ with ~50 patterns is ~0.004
    assert.ok(Math.abs(a - 79.1) < 0.8 && Math.abs(c - 37.9) < 0.6, `refined cell a = ${a}, c = ${c}`);
    // indexing: first a quick test on the patterns with many peaks, then all
    await page.click("[data-testid=step-index]");
    await setOption(page, "min-peaks", "40");
    await runStep(page, "index");
    await shot(page, "06a-index-subset");
    const subsetLog = await page.locator("[data-testid=results-index]").innerText();
    await setOption(page, "min-peaks", "10");
    await page.click("[data-testid=step-index]");
    await runStep(page, "index");
    await shot(page, "06b-index-all");
    assert.notEqual(await page.locator("[data-testid=results-index]").innerText(), subsetLog);
    // index and integrate consume the geometry step's .geom and .cell (their stream headers name the command)
    for (const [step, file] of [["index", "run.stream"], ["integrate", "integrated.stream"]] as const) {
      if (step === "integrate") await runStep(page, "integrate");
      const head = readFileSync(join(latestRunDir(projectDir, step), file), "utf8").slice(0, 4000);
      assert.ok(head.includes(`--geom ${join(geoDir, "geometry.geom")}`) && head.includes(`--cell ${join(geoDir, "geometry.cell")}`), `${step} used the fitted geometry and cell: ${head.split("\n")[2]}`);
    }
    await shot(page, "07-integrate");
    await runStep(page, "merge");
    try {
      await page.waitForSelector("[data-testid=crystal-plots] .plot[data-rendered='1']", { timeout: 150_000 });
    } catch (e) {
      await shot(page, "08-merge-failed");
      throw new Error(`crystal plots not rendered; console errors: ${errors.join(" | ")}; panel: ${(await page.locator("[data-testid=step-panel]").innerText()).slice(0, 600)}`, { cause: e });
    }
    await shot(page, "08-merge");
    await runStep(page, "validate");
    await page.waitForSelector("[data-testid=table1]");
    await page.waitForSelector("[data-testid=plot-ccHalf][data-rendered='1']", { timeout: 60_000 });
    // statistics vs number of crystals merged (stats --crystals-curve on the merged stream)
    await page.waitForSelector("[data-testid=curve-ccHalf][data-rendered='1']", { timeout: 60_000 });
    const statsJson = JSON.parse(readFileSync(join(latestRunDir(projectDir, "validate"), "stats.json"), "utf8")) as { crystalsCurve: { crystals: number }[] | null };
    assert.ok((statsJson.crystalsCurve?.length ?? 0) >= 3, `crystals curve in stats.json: ${JSON.stringify(statsJson.crystalsCurve)?.slice(0, 200)}`);
    await shot(page, "09-validate");
    await page.locator("[data-testid=curve-ccHalf]").scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(outDir, "09b-validate-crystals-curve.png") });
    const table1 = await page.locator("[data-testid=table1]").innerText();
    assert.match(table1, /CC½/);
    await runStep(page, "export");
    await shot(page, "10-export");
    for (const s of ["import", "aggregate", "corrections", "centre-peaks", "geometry", "index", "integrate", "merge", "validate", "export"]) {
      assert.equal(await statusOf(page, s), "up to date", `step ${s}`);
    }

    // an earlier option change marks the later steps out of date
    await page.click("[data-testid=step-merge]");
    await page.selectOption("[data-testid=opt-model]", "xsphere");
    await page.click("text=Save options");
    await page.waitForFunction(() => document.querySelector("[data-testid=status-export]")?.textContent === "out of date", null, { timeout: 10_000 });
    assert.equal(await statusOf(page, "index"), "up to date");
    await shot(page, "11-stale");
    // unity vs xsphere: validation re-runs merge (xsphere) and overlays both runs
    await runStep(page, "validate");
    await page.waitForFunction(() => (document.querySelectorAll("[data-testid=table1] thead th").length ?? 0) >= 3, null, { timeout: 60_000 });
    const table1Head = await page.locator("[data-testid=table1] thead").innerText();
    assert.match(table1Head, /xsphere/);
    assert.match(table1Head, /unity/);
    await page.waitForSelector("[data-testid=plot-ccHalf][data-rendered='1']", { timeout: 60_000 });
    await shot(page, "12-unity-vs-xsphere");

    // the MTZ against the truth
    const exportRun = readdirSync(join(projectDir, "runs")).filter((d) => d.startsWith("export-")).sort().pop()!;
    const mtz = join(projectDir, "runs", exportRun, "merged.mtz");
    assert.ok(existsSync(mtz), "merged.mtz exported");
    const tsv = execFileSync("gemmi", ["mtz", "--tsv", mtz], { encoding: "utf8" });
    const truth = new Map<string, number>();
    for (const line of readFileSync(join(dir, "data", "truth", "truth.hkl"), "utf8").split("\n")) {
      const m = /^\s*(-?\d+)\s+(-?\d+)\s+(-?\d+)\s+(-?[\d.]+)/.exec(line);
      if (m) truth.set(key422(+m[1]!, +m[2]!, +m[3]!), +m[4]!);
    }
    const xs: number[] = [], ys: number[] = [];
    const lines = tsv.trim().split("\n");
    const head = lines[0]!.split("\t");
    const iI = head.indexOf("IMEAN");
    assert.ok(iI >= 0, `IMEAN column in ${head.join(",")}`);
    for (const l of lines.slice(1)) {
      const c = l.split("\t").map(Number);
      const t = truth.get(key422(c[0]!, c[1]!, c[2]!));
      if (t !== undefined && Number.isFinite(c[iI]!)) { xs.push(c[iI]!); ys.push(t); }
    }
    const cc = pearson(xs, ys);
    console.log(`wizard MTZ: ${xs.length} reflections matched to truth, CC = ${cc.toFixed(3)}`);
    assert.ok(xs.length >= 50, `enough reflections (${xs.length})`);
    assert.ok(cc >= 0.7, `CC against truth ${cc}`);
    assert.deepEqual(errors, []);

    // `serialed run` on a copy of the project (same inputs and options, no runs): the same merged .hkl
    // (compared up to "End of reflections": the footer names the command line, whose paths differ)
    const copyDir = join(dir, "headless");
    mkdirSync(copyDir);
    saveProject(join(copyDir, "project.yaml"), { ...loadProject(projectDir).project, runs: [] });
    const t0 = Date.now();
    await promisify(execFile)(process.execPath, [join(root, "bin", "serialed.mjs"), "run", join(copyDir, "project.yaml"), "--until", "merge"], { maxBuffer: 64 * 1024 * 1024 });
    const wizardHkl = join(latestRunDir(projectDir, "merge"), "merged.hkl"), headlessHkl = join(latestRunDir(copyDir, "merge"), "merged.hkl");
    const w = reflections(wizardHkl), h = reflections(headlessHkl);
    console.log(`serialed run on the copy: ${((Date.now() - t0) / 1000).toFixed(0)} s, ${w.split("\n").length - 4} reflections, identical: ${w === h}`);
    assert.ok(w.split("\n").length > 50, "reflections in the wizard's .hkl");
    assert.equal(h, w, `${headlessHkl} differs from ${wizardHkl}`);
  });
});
