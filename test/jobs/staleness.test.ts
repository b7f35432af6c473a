import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { emptyProject, withRun, withStepOptions } from "../../src/core/project/project-model.ts";
import type { Project, StepName } from "../../src/core/project/project-model.ts";
import { stepConfigHashes, stepStatuses } from "../../src/core/project/staleness.ts";
import { stableHash } from "../../src/core/project/stable-hash.ts";

function ran(p: Project, step: StepName, n: number, t: string): Project {
  const h = stepConfigHashes(p, "main");
  return withRun(p, { id: `${step}-${n}`, step, n, dataset: "main", state: "done", startedAt: t, configHash: h[step], options: p.steps[step]?.options ?? {}, outputs: [] });
}

describe("stableHash", () => {
  it("ignores key order but not values", () => {
    assert.equal(stableHash({ a: 1, b: [1, 2] }), stableHash({ b: [1, 2], a: 1 }));
    assert.notEqual(stableHash({ a: 1 }), stableHash({ a: "1" }));
    assert.notEqual(stableHash({ a: [1, 2] }), stableHash({ a: [2, 1] }));
  });
});

describe("stepStatuses", () => {
  it("marks later steps stale when an earlier step's options change", () => {
    let p = withStepOptions(emptyProject("x", ["a.h5"]), "centre-peaks", { threshold: 8 });
    p = ran(p, "centre-peaks", 1, "2026-01-01T00:00:01Z");
    p = ran(p, "geometry", 1, "2026-01-01T00:00:02Z");
    p = ran(p, "index", 1, "2026-01-01T00:00:03Z");
    let s = stepStatuses(p, "main");
    assert.equal(s["centre-peaks"], "up-to-date");
    assert.equal(s.index, "up-to-date");
    assert.equal(s.merge, "never-run");
    p = withStepOptions(p, "geometry", { lattice: "tP" });
    s = stepStatuses(p, "main");
    assert.equal(s["centre-peaks"], "up-to-date");
    assert.equal(s.geometry, "stale");
    assert.equal(s.index, "stale");
    // re-running geometry with the new options leaves index stale until it is re-run
    p = ran(p, "geometry", 2, "2026-01-01T00:00:04Z");
    s = stepStatuses(p, "main");
    assert.equal(s.geometry, "up-to-date");
    assert.equal(s.index, "stale");
    p = ran(p, "index", 2, "2026-01-01T00:00:05Z");
    assert.equal(stepStatuses(p, "main").index, "up-to-date");
  });

  it("changing a later step does not affect earlier ones; changed inputs affect all", () => {
    let p = ran(emptyProject("x", ["a.h5"]), "import", 1, "2026-01-01T00:00:01Z");
    p = ran(p, "index", 1, "2026-01-01T00:00:02Z");
    p = withStepOptions(p, "merge", { model: "xsphere" });
    assert.equal(stepStatuses(p, "main").index, "up-to-date");
    assert.equal(stepStatuses(p, "main", "other-mtime").import, "stale");
  });
});
