import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { withStepOptions } from "../../core/project/project-model.ts";
import { allocateRunDir, createProject, loadProject, ProjectFileError, updateProject } from "./project-store.ts";

describe("project store", () => {
  it("creates, saves atomically and keeps the previous good copy", () => {
    const dir = mkdtempSync(join(tmpdir(), "proj-"));
    const { path } = createProject(dir, "lyso", ["a.h5"]);
    updateProject(path, (p) => withStepOptions(p, "merge", { model: "unity" }));
    updateProject(path, (p) => withStepOptions(p, "merge", { model: "xsphere" }));
    assert.equal(loadProject(dir).project.steps.merge?.options["model"], "xsphere");
    assert.match(readFileSync(`${path}.bak`, "utf8"), /model: unity/);
    assert.deepEqual(readdirSync(dir).filter((f) => f.includes(".tmp")), []);
  });

  it("a corrupt project file gives a clear error naming the last good copy", () => {
    const dir = mkdtempSync(join(tmpdir(), "proj-"));
    const { path } = createProject(dir, "lyso", ["a.h5"]);
    updateProject(path, (p) => withStepOptions(p, "index", { "min-peaks": 15 }));
    // half-written file as a crash during a non-atomic write would leave it
    const good = readFileSync(path, "utf8");
    writeFileSync(path, good.slice(0, Math.floor(good.length / 2)) + "\n  - [broken");
    let err: unknown;
    try { loadProject(dir); } catch (e) { err = e; }
    assert.ok(err instanceof ProjectFileError, String(err));
    assert.equal(err.backupPath, `${path}.bak`);
    assert.match(err.message, /corrupt project file/);
    assert.match(err.message, /project\.yaml\.bak/);
    // the backup really is a good copy; saving over the corrupt file does not overwrite the backup
    const restored = loadProject(err.backupPath!);
    assert.equal(restored.project.name, "lyso");
    writeFileSync(path, "version: 1\nname: [\n");
    assert.throws(() => loadProject(path), /last good copy/);
  });

  it("allocates run folders runs/<step>-<n>", () => {
    const dir = mkdtempSync(join(tmpdir(), "proj-"));
    const { project } = createProject(dir, "x");
    const a = allocateRunDir(dir, project, "index");
    const b = allocateRunDir(dir, project, "index");
    assert.equal(a.id, "index-1");
    assert.equal(b.id, "index-2");
    assert.ok(existsSync(join(dir, "runs", "index-2")));
  });

  it("an empty or missing file is an error, not an empty project", () => {
    const dir = mkdtempSync(join(tmpdir(), "proj-"));
    assert.throws(() => loadProject(dir), /no project file/);
    writeFileSync(join(dir, "project.yaml"), "");
    assert.throws(() => loadProject(dir), /empty/);
  });
});
