import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { StreamOutput, writeSubstream } from "../../src/main/stream/stream-output.ts";
import { readStreamChunks, StreamFile } from "../../src/main/stream/stream-index.ts";
import { parseStream } from "../../src/core/formats/stream-reader.ts";
import { solEntriesFromChunks } from "../../src/core/formats/stream-to-sol.ts";
import { formatSol, groupSol, parseSol } from "../../src/core/formats/sol-file.ts";

const STREAM = "/work/shared/fixtures/crystfel/lyso_ed.stream";
const text = readFileSync(STREAM, "utf8");
const parsed = parseStream(text, STREAM);

describe("StreamOutput", () => {
  it("writes header + chunks to a temp file and renames on close (fixture reproduced)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "serialed-streamout-"));
    try {
      const p = join(dir, "out.stream");
      const w = await StreamOutput.create(p, parsed.header);
      for (const c of parsed.chunks.slice(0, 10)) await w.append(c);
      assert.equal(existsSync(p), false, "target must not exist before close");
      for (const c of parsed.chunks.slice(10)) await w.append(c);
      await w.close();
      assert.equal(w.count, 30);
      assert.ok(readFileSync(p, "utf8") === text);
      assert.deepEqual(readdirSync(dir), ["out.stream"]);
      let n = 0;
      for await (const r of readStreamChunks(p)) { assert.equal(r.error, null); n++; }
      assert.equal(n, 30);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
  it("abort leaves no file behind", async () => {
    const dir = mkdtempSync(join(tmpdir(), "serialed-streamout-"));
    try {
      const w = await StreamOutput.create(join(dir, "x.stream"), parsed.header);
      await w.append(parsed.chunks[0]!);
      await w.abort();
      assert.deepEqual(readdirSync(dir), []);
      await assert.rejects(w.append(parsed.chunks[1]!), /already closed/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("writeSubstream", () => {
  it("copies the header and the selected chunks verbatim; skips incomplete chunks", async () => {
    const dir = mkdtempSync(join(tmpdir(), "serialed-substream-"));
    try {
      const p = join(dir, "even.stream");
      const n = await writeSubstream(STREAM, p, (_i, _f, ev) => Number(ev.slice(2)) % 2 === 0);
      assert.equal(n, 15);
      const sub = parseStream(readFileSync(p, "utf8"), p);
      assert.equal(sub.errors.length, 0);
      assert.deepEqual(sub.chunks.map((c) => c.event), parsed.chunks.filter((c) => Number(c.event.slice(2)) % 2 === 0).map((c) => c.event));
      assert.equal(sub.header.geometryText, parsed.header.geometryText);
      const t = join(dir, "trunc.stream");
      assert.equal(await writeSubstream("/work/shared/fixtures/crystfel/lyso_ed_truncated.stream", t, () => true), 2);
      const f = await StreamFile.open(t);
      assert.deepEqual(f.chunks.map((c) => c.complete), [true, true]);
      await f.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("solEntriesFromChunks", () => {
  it("gives one line per crystal (29, //7 twice) that round-trips through the .sol format", () => {
    const sol = solEntriesFromChunks(parsed.chunks);
    assert.equal(sol.length, 29);
    assert.equal(groupSol(sol).size, 28);
    assert.equal(sol.filter((e) => e.event === "//7").length, 2);
    assert.equal(sol[0]!.filename, "sim_ed.h5");
    const back = parseSol(formatSol(sol));
    assert.deepEqual(back, sol.map((e) => ({ ...e, detShiftMm: [e.detShiftMm[0], e.detShiftMm[1]] })));
    // Same reciprocal lengths as the input .sol (the stream may re-express axes by a 422 operation).
    const input = parseSol(readFileSync("/work/shared/fixtures/crystfel/lyso_ed.sol", "utf8"));
    const len = (v: readonly number[]): number => Math.hypot(v[0]!, v[1]!, v[2]!);
    for (const e of sol) {
      const ref = input.find((x) => x.event === e.event)!;
      // (prediction refinement moves the cell by up to ~0.6 %, e.g. //6: c = 3.813 nm)
      assert.ok(Math.abs(len(e.basis.cstar) / len(ref.basis.cstar) - 1) < 0.01, e.event);
    }
  });
});
