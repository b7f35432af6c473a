/**
 * The wizard shows the option set of a step's engine (issue 9): switching a step to CrystFEL shows
 * the CrystFEL program's options with diffractem's defaults filled in, options meaningful to both
 * engines keep their value (shells → nshells, symmetry, min peaks), indexer-specific options follow
 * the chosen indexing method, and switching back gives the built-in options back. CrystFEL is not
 * installed here: fake indexamajig/partialator/check_hkl/compare_hkl printing a version are put on
 * the served host's PATH so that the selector is enabled (nothing is run). Needs the renderer build.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import type { BrowserContext, Page } from "playwright-core";
import { withDefaultOptions } from "../../src/main/host/pipeline-demo.ts";
import { createProject, loadProject, updateProject } from "../../src/main/project/project-store.ts";
import { ensureRendererBuilt } from "../../src/main/web/serve-app.ts";
import { collectErrors, launchBrowser, screenshot, startServe, type Served } from "./e2e-helpers.ts";

async function until<T>(get: () => T, ok: (v: T) => boolean, what: string): Promise<T> {
  const t0 = Date.now();
  let v = get();
  while (!ok(v) && Date.now() - t0 < 20_000) {
    await new Promise((r) => setTimeout(r, 200));
    v = get();
  }
  assert.ok(ok(v), `${what}: ${JSON.stringify(v)}`);
  return v;
}

describe("wizard: the step options follow the engine (chromium, fake CrystFEL on PATH)", { timeout: 240_000 }, () => {
  let served: Served, ctx: BrowserContext, page: Page, projectPath: string;
  const oldPath = process.env["PATH"];

  before(async () => {
    const dir = mkdtempSync(join(tmpdir(), "wizard-cf-opts-"));
    const bin = join(dir, "bin");
    mkdirSync(bin);
    for (const name of ["indexamajig", "partialator", "check_hkl", "compare_hkl"]) {
      writeFileSync(join(bin, name), "#!/bin/sh\necho 'CrystFEL: 0.12.0'\n");
      chmodSync(join(bin, name), 0o755);
    }
    projectPath = createProject(join(dir, "project"), "cf-options", ["data/never-read.lst"]).path;
    updateProject(projectPath, (p) => withDefaultOptions(p)); // the wizard's defaults (validate: spacegroup, shells 8; merge: 422)
    await ensureRendererBuilt(false);
    process.env["PATH"] = `${bin}${delimiter}${oldPath ?? ""}`; // inherited by the served host
    served = await startServe([]);
    process.env["PATH"] = oldPath;
    ctx = await launchBrowser();
    page = await ctx.newPage();
  });
  after(async () => { process.env["PATH"] = oldPath; await ctx?.close(); await served?.stop(); });

  const engineOf = (step: "index" | "merge" | "validate") => () => loadProject(projectPath).project.steps[step];
  const choose = async (engine: "builtin" | "crystfel"): Promise<void> => {
    await page.waitForSelector("[data-testid=exec-engine]:enabled", { timeout: 60_000 });
    await page.selectOption("[data-testid=exec-engine]", engine);
    await page.waitForSelector(`[data-testid=step-options][data-engine=${engine}]`, { timeout: 30_000 });
  };

  it("validation: switching to CrystFEL shows check_hkl/compare_hkl's options, shells kept; back gives the built-in ones", async () => {
    const errors = collectErrors(page);
    await page.goto(`${served.url}#wizard`);
    await page.fill("[data-testid=project-path]", projectPath, { timeout: 60_000 });
    await page.click("text=Open existing");
    await page.click("[data-testid=step-validate]");
    await page.waitForSelector("[data-testid=step-options][data-engine=builtin]");
    assert.equal(await page.inputValue("[data-testid=opt-spacegroup]"), "P43212");
    assert.equal(await page.inputValue("[data-testid=opt-shells]"), "8");
    assert.equal(await page.locator("[data-testid=exec-engine] option[value=crystfel]").isDisabled(), false, await page.locator("[data-testid=exec-engine-note]").innerText());

    await choose("crystfel");
    assert.equal(await page.inputValue("[data-testid=opt-nshells]"), "8", "the number of shells is kept (shells → --nshells)");
    assert.equal(await page.inputValue("[data-testid=opt-fom]"), "CC,CCstar,Rsplit", "compare_hkl's figures of merit filled in");
    for (const k of ["symmetry", "lowres", "highres", "sigma-cutoff"]) assert.equal(await page.locator(`[data-testid=opt-${k}]`).count(), 1, `check_hkl option ${k} offered`);
    for (const k of ["spacegroup", "shells", "crystals-curve"]) assert.equal(await page.locator(`[data-testid=opt-${k}]`).count(), 0, `built-in option ${k} not offered with CrystFEL`);
    assert.match(await page.locator("[data-testid=options-aside_builtin]").innerText(), /kept for the built-in engine .*spacegroup: "P43212"/);
    assert.match(await page.locator("[data-testid=engine-options-note]").innerText(), /check_hkl \+ compare_hkl/);
    const cf = await until(engineOf("validate"), (c) => c?.engine === "crystfel", "validate engine in project.yaml");
    assert.equal(cf?.options["nshells"], 8);
    assert.equal(cf?.options["spacegroup"], undefined);
    await screenshot(page, "wizard-crystfel-validate-options");

    await choose("builtin");
    assert.equal(await page.inputValue("[data-testid=opt-spacegroup]"), "P43212", "the built-in option comes back");
    assert.equal(await page.inputValue("[data-testid=opt-shells]"), "8");
    await until(engineOf("validate"), (c) => c?.engine === undefined && c?.options["shells"] === 8, "validate back to built-in in project.yaml");
    assert.deepEqual(errors, []);
  });

  it("indexing: CrystFEL's indexamajig options with diffractem's defaults; the method's own options follow the choice", async () => {
    await page.click("[data-testid=step-index]");
    await page.waitForSelector("[data-testid=step-options][data-engine=builtin]");
    assert.equal(await page.inputValue("[data-testid=opt-min-peaks]"), "10");
    await choose("crystfel");
    assert.equal(await page.inputValue("[data-testid=opt-indexing]"), "pinkIndexer");
    assert.equal(await page.inputValue("[data-testid=opt-min-peaks]"), "10", "min peaks kept");
    assert.equal(await page.inputValue("[data-testid=opt-peaks]"), "cxi");
    assert.equal(await page.inputValue("[data-testid=opt-int-radius]"), "3,4,6");
    assert.equal(await page.inputValue("[data-testid=opt-pinkIndexer-tolerance]"), "0.1");
    assert.equal(await page.locator("[data-testid=opt-profile-radius]").count(), 0, "built-in option not offered");
    assert.equal(await page.locator("[data-testid=opt-fromfile-input-file]").count(), 0);
    // file indexing: the solution file field appears, pinkIndexer's options go
    await page.selectOption("[data-testid=opt-indexing]", "file");
    await page.waitForSelector("[data-testid=opt-fromfile-input-file]");
    assert.equal(await page.locator("[data-testid=opt-pinkIndexer-tolerance]").count(), 0);
    await page.selectOption("[data-testid=opt-indexing]", "xgandalf");
    await page.waitForSelector("[data-testid=opt-xgandalf-sampling-pitch]");
    await page.selectOption("[data-testid=opt-indexing]", "file");
    await page.click("text=Save options");
    await until(engineOf("index"), (c) => c?.options["indexing"] === "file", "indexing method saved");
    assert.equal(engineOf("index")()?.engine, "crystfel");
    await screenshot(page, "wizard-crystfel-index-options");
  });

  it("merging: the point group is kept, polarisation none for electrons", async () => {
    await page.click("[data-testid=step-merge]");
    await page.waitForSelector("[data-testid=step-options][data-engine=builtin]");
    await choose("crystfel");
    assert.equal(await page.inputValue("[data-testid=opt-symmetry]"), "422");
    assert.equal(await page.inputValue("[data-testid=opt-model]"), "unity");
    assert.equal(await page.inputValue("[data-testid=opt-polarisation]"), "none");
    assert.equal(await page.locator("[data-testid=opt-highres]").count(), 0, "partialator has no --highres");
  });
});
