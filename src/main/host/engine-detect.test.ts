import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createEngineDetector, detectCrystfelStatus, detectSlurm, parseSinfoPartitions } from "./engine-detect.ts";

/** A folder with executable shell scripts `name` → script body. */
function fakeBin(scripts: Record<string, string>): string {
  const d = mkdtempSync(join(tmpdir(), "engine-detect-"));
  const bin = join(d, "bin");
  mkdirSync(bin);
  for (const [name, body] of Object.entries(scripts)) {
    writeFileSync(join(bin, name), `#!/bin/sh\n${body}\n`);
    chmodSync(join(bin, name), 0o755);
  }
  return bin;
}

const emptyDir = (): string => mkdtempSync(join(tmpdir(), "engine-empty-"));

describe("detectCrystfelStatus", () => {
  it("finds the programs on PATH with the version each prints", async () => {
    const bin = fakeBin({ indexamajig: 'echo "CrystFEL: 0.11.1"', partialator: 'echo "CrystFEL: 0.11.1"', check_hkl: 'echo "CrystFEL: 0.11.1+abc"' });
    const s = await detectCrystfelStatus(bin);
    assert.equal(s.usable, true);
    assert.equal(s.version, "0.11.1");
    const ix = s.programs.find((p) => p.name === "indexamajig")!;
    assert.equal(ix.path, join(bin, "indexamajig"));
    assert.equal(ix.version, "0.11.1");
    assert.equal(s.programs.find((p) => p.name === "check_hkl")!.version, "0.11.1+abc");
    assert.equal(s.programs.find((p) => p.name === "ambigator")!.path, null);
    assert.match(s.message, /^CrystFEL 0\.11\.1 found; not on PATH: compare_hkl, ambigator$/);
  });

  it("says clearly that CrystFEL is not on an empty PATH", async () => {
    const s = await detectCrystfelStatus(emptyDir());
    assert.equal(s.usable, false);
    assert.ok(s.programs.every((p) => p.path === null && p.version === null));
    assert.equal(s.message, "CrystFEL not found on PATH (indexamajig, partialator, check_hkl, compare_hkl, ambigator)");
  });

  it("reports a program that is found but does not work, and is not usable without partialator", async () => {
    const bin = fakeBin({ indexamajig: 'echo "error while loading shared libraries: libcrystfel.so.0" >&2; exit 127' });
    const s = await detectCrystfelStatus(bin);
    assert.equal(s.usable, false);
    const ix = s.programs.find((p) => p.name === "indexamajig")!;
    assert.equal(ix.version, null);
    assert.match(ix.problem ?? "", /libcrystfel/);
    assert.match(s.message, /not usable.*not working: indexamajig \(.*libcrystfel/);
  });
});

describe("detectSlurm", () => {
  it("lists the partitions when sinfo answers", async () => {
    const bin = fakeBin({ sinfo: 'printf "debug*|up|1|idle|infinite\\nbig|up|3|mix|1-00:00:00\\nbig|up|1|idle|1-00:00:00\\n"' });
    const s = await detectSlurm(bin);
    assert.equal(s.reachable, true);
    assert.deepEqual(s.partitions, [
      { name: "debug", isDefault: true, availability: "up", nodes: 1, states: ["idle"], timeLimit: "infinite" },
      { name: "big", isDefault: false, availability: "up", nodes: 4, states: ["mix", "idle"], timeLimit: "1-00:00:00" },
    ]);
    assert.match(s.message, /debug \(default\) up, 1 node idle; big up, 4 nodes mix\/idle/);
  });

  it("is not reachable when sinfo cannot contact the controller, with sinfo's reason", async () => {
    const bin = fakeBin({ sinfo: 'echo "slurm_load_partitions: Unable to contact slurm controller (connect failure)" >&2; exit 1' });
    const s = await detectSlurm(bin);
    assert.equal(s.reachable, false);
    assert.equal(s.message, "SLURM not reachable: sinfo: slurm_load_partitions: Unable to contact slurm controller (connect failure)");
  });

  it("says sinfo is missing on an empty PATH", async () => {
    const s = await detectSlurm(emptyDir());
    assert.deepEqual(s, { reachable: false, partitions: [], message: "SLURM not found: sinfo is not on PATH" });
  });

  it("gives up on a hanging sinfo after the time-out", async () => {
    const s = await detectSlurm(fakeBin({ sinfo: "exec /bin/sleep 30" }), 300);
    assert.equal(s.reachable, false);
    assert.match(s.message, /^SLURM not reachable: sinfo gave no answer within 0.3 s$/);
  });

  it("parses sinfo node-state flags away (idle* = not responding idle)", () => {
    assert.deepEqual(parseSinfoPartitions("p|up|2|idle*|5:00\n").map((p) => p.states), [["idle"]]);
  });
});

describe("createEngineDetector", () => {
  it("caches the detection and runs it again on request", async () => {
    const d = mkdtempSync(join(tmpdir(), "engine-cache-"));
    const bin = fakeBin({ sinfo: `echo x >> ${join(d, "calls")}; echo "debug*|up|1|idle|infinite"` });
    const det = createEngineDetector({ path: bin });
    const a = await det.detect();
    const b = await det.detect();
    assert.equal(a, b, "same cached answer");
    assert.equal(readFileSync(join(d, "calls"), "utf8").trim().split("\n").length, 1);
    // CrystFEL installed meanwhile: seen after re-detect only
    writeFileSync(join(bin, "indexamajig"), '#!/bin/sh\necho "CrystFEL: 0.10.2"\n');
    chmodSync(join(bin, "indexamajig"), 0o755);
    assert.equal((await det.detect()).crystfel.programs[0]!.version, null);
    const c = await det.detect({ redetect: true });
    assert.equal(c.crystfel.programs[0]!.version, "0.10.2");
    assert.equal(readFileSync(join(d, "calls"), "utf8").trim().split("\n").length, 2);
  });
});
