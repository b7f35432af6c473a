import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { StreamFile, readStreamChunks, readStreamChunkTexts } from "../../src/main/stream/stream-index.ts";
import { parseStream } from "../../src/core/formats/stream-reader.ts";

const FIX = "/work/shared/fixtures/crystfel";
const STREAM = join(FIX, "lyso_ed.stream");
const TRUNC = join(FIX, "lyso_ed_truncated.stream");
const text = readFileSync(STREAM, "utf8");
const expectedOffsets: number[] = [];
const reference = parseStream(text, STREAM).chunks;
const parsed = (i: number): number => reference[i]!.crystals[0]!.reflections.count;
for (let i = text.indexOf("----- Begin chunk -----"); i >= 0; i = text.indexOf("----- Begin chunk -----", i + 1)) expectedOffsets.push(i);

describe("StreamFile (index once, parse on demand)", () => {
  it("indexes the fixture: 30 chunks at the right byte ranges, in file order", async () => {
    for (const blockBytes of [undefined, 16384, 20011, 65536]) {
      const f = await StreamFile.open(STREAM, blockBytes ? { blockBytes } : {});
      try {
        assert.equal(f.chunks.length, 30, `block ${blockBytes}`);
        assert.deepEqual(f.chunks.map((c) => c.offset), expectedOffsets, `block ${blockBytes}`);
        assert.ok(f.chunks.every((c) => c.complete && c.filename === "sim_ed.h5"));
        const last = f.chunks[29]!;
        assert.equal(last.offset + last.length, text.length);
        for (let i = 0; i < 29; i++) assert.equal(f.chunks[i]!.offset + f.chunks[i]!.length, f.chunks[i + 1]!.offset);
        assert.deepEqual(f.chunks.slice(6, 9).map((c) => c.event), ["//6", "//8", "//7"]);
        assert.equal(f.headerBytes, expectedOffsets[0]);
        assert.equal(f.header.formatVersion, "2.3");
        assert.match(f.header.geometryText!, /p0\/corner_x = -770\.30/);
      } finally {
        await f.close();
      }
    }
  });
  it("parses chunks on demand: //7 two crystals, //28 341 peaks no crystal, //29 no peaks", async () => {
    const f = await StreamFile.open(STREAM);
    try {
      const [i7] = f.findChunks("sim_ed.h5", "//7");
      assert.equal(i7, 8);
      assert.equal((await f.readChunk(i7!)).crystals.length, 2);
      const c28 = await f.readChunk(f.findChunks("sim_ed.h5", "//28")[0]!);
      assert.deepEqual([c28.peaks.count, c28.crystals.length, c28.indexedBy], [341, 0, "none"]);
      const c29 = await f.readChunk(f.findChunks("sim_ed.h5", "//29")[0]!);
      assert.equal(c29.peaks.count, 0);
      assert.deepEqual(f.findChunks("sim_ed.h5", "//99"), []);
      let crystals = 0, refl = 0;
      for (let i = 0; i < f.chunks.length; i++) {
        const c = await f.readChunk(i);
        crystals += c.crystals.length;
        refl += c.crystals.reduce((s, x) => s + x.reflections.count, 0);
      }
      assert.deepEqual([crystals, refl], [29, 58260]);
      await assert.rejects(f.readChunk(30), /no chunk 31 \(the stream has 30\)/);
    } finally {
      await f.close();
    }
  });
  it("truncated fixture: 2 complete chunks, chunk 3 incomplete with a clear error", async () => {
    const f = await StreamFile.open(TRUNC, { blockBytes: 16384 });
    try {
      assert.equal(f.chunks.length, 3);
      assert.deepEqual(f.chunks.map((c) => c.complete), [true, true, false]);
      assert.equal(f.chunks[2]!.event, "//2");
      assert.equal(f.chunks[2]!.offset + f.chunks[2]!.length, 398686);
      assert.equal((await f.readChunk(1)).event, "//1");
      // Concurrent reads of a broken chunk report the same absolute line.
      const both = await Promise.allSettled([f.readChunk(2), f.readChunk(2), f.readChunk(0)]);
      assert.deepEqual(both.map((r) => r.status), ["rejected", "rejected", "fulfilled"]);
      const msgs = both.slice(0, 2).map((r) => ((r as PromiseRejectedResult).reason as Error).message);
      assert.equal(msgs[0], msgs[1]);
      await assert.rejects(f.readChunk(2), (e: Error) => {
        assert.match(e.message, /lyso_ed_truncated\.stream:6153 \(chunk 3 at byte 365997, image sim_ed\.h5 event \/\/2\): reflection line has 4 fields/);
        return true;
      });
    } finally {
      await f.close();
    }
  });
  it("refresh picks up a stream that is still being written", async () => {
    const dir = mkdtempSync(join(tmpdir(), "serialed-stream-"));
    try {
      const p = join(dir, "growing.stream");
      const cut = expectedOffsets[3]! + 5000; // inside chunk 4
      writeFileSync(p, text.slice(0, cut));
      const f = await StreamFile.open(p);
      try {
        assert.deepEqual(f.chunks.map((c) => c.complete), [true, true, true, false]);
        appendFileSync(p, text.slice(cut, expectedOffsets[10]!));
        assert.equal(await f.refresh(), 7);
        assert.equal(f.chunks.length, 10);
        assert.ok(f.chunks.every((c) => c.complete));
        assert.equal((await f.readChunk(3)).event, "//3");
        assert.equal(await f.refresh(), 0);
        appendFileSync(p, text.slice(expectedOffsets[10]!));
        assert.equal(await f.refresh(), 20);
        assert.deepEqual(f.chunks.map((c) => c.offset), expectedOffsets);
      } finally {
        await f.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
  it("handles a header-only stream that gets chunks later, and CRLF line ends", async () => {
    const dir = mkdtempSync(join(tmpdir(), "serialed-stream-"));
    try {
      const p = join(dir, "new.stream");
      writeFileSync(p, text.slice(0, expectedOffsets[0]! + 10)); // ends inside the first Begin marker
      const f = await StreamFile.open(p);
      try {
        assert.equal(f.chunks.length, 0);
        assert.equal(f.header.formatVersion, "2.3");
        appendFileSync(p, text.slice(expectedOffsets[0]! + 10, expectedOffsets[2]!));
        assert.equal(await f.refresh(), 2);
        assert.equal((await f.readChunk(1)).event, "//1");
      } finally {
        await f.close();
      }
      const crlf = join(dir, "crlf.stream");
      writeFileSync(crlf, text.slice(0, expectedOffsets[3]!).replaceAll("\n", "\r\n"));
      const g = await StreamFile.open(crlf, { blockBytes: 16384 });
      try {
        assert.deepEqual(g.chunks.map((c) => [c.event, c.complete]), [["//0", true], ["//1", true], ["//2", true]]);
        const c2 = await g.readChunk(2);
        assert.equal(c2.crystals[0]!.reflections.count, parsed(2));
        assert.equal(c2.peaks.panel[0], "p0");
      } finally {
        await g.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
  it("rejects files that are not streams", async () => {
    const dir = mkdtempSync(join(tmpdir(), "serialed-stream-"));
    try {
      writeFileSync(join(dir, "empty.stream"), "");
      await assert.rejects(StreamFile.open(join(dir, "empty.stream")), /empty\.stream: empty file/);
      writeFileSync(join(dir, "x.stream"), "hello world\n");
      await assert.rejects(StreamFile.open(join(dir, "x.stream")), /x\.stream:1: not a CrystFEL stream/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("readStreamChunks (sequential, bounded memory)", () => {
  it("reads every chunk of the fixture equal to the in-memory parse", async () => {
    const ref = reference;
    let n = 0;
    for await (const r of readStreamChunks(STREAM, { blockBytes: 50000 })) {
      assert.equal(r.error, null);
      assert.deepEqual(r.chunk, ref[r.index]);
      n++;
    }
    assert.equal(n, 30);
  });
  it("reports a corrupt chunk in the middle and goes on", async () => {
    const dir = mkdtempSync(join(tmpdir(), "serialed-stream-"));
    try {
      const p = join(dir, "corrupt.stream");
      // Chunk 5: break a number in its peak table; chunk 12: drop its End marker.
      const lines = text.split("\n");
      const c5 = text.slice(0, expectedOffsets[4]!).split("\n").length - 1; // 0-based line of chunk 5's Begin
      lines[c5 + 20] = lines[c5 + 20]!.replace(/^(\s*\d+\.\d+)/, "  12x.34");
      let corrupt = lines.join("\n");
      const endOf11 = corrupt.indexOf("----- End chunk -----", corrupt.indexOf("Event: //11\n"));
      corrupt = corrupt.slice(0, endOf11) + corrupt.slice(endOf11 + "----- End chunk -----\n".length);
      writeFileSync(p, corrupt);
      const results = [];
      for await (const r of readStreamChunks(p, { blockBytes: 30000 })) results.push(r);
      assert.equal(results.length, 30);
      const bad = results.filter((r) => r.error !== null);
      assert.equal(bad.length, 2);
      assert.equal(bad[0]!.index, 4);
      assert.match(bad[0]!.error!.message, new RegExp(`corrupt\\.stream:${c5 + 21} \\(chunk 5 at byte ${expectedOffsets[4]}, image sim_ed\\.h5 event //4\\): peak fs: expected a number, got '12x\\.34'`));
      assert.equal(bad[1]!.location.event, "//11");
      assert.equal(bad[1]!.location.complete, false);
      assert.match(bad[1]!.error!.message, /chunk 12 at byte \d+, image sim_ed\.h5 event \/\/11\): (new chunk begins|chunk is truncated)/);
      assert.equal(results.filter((r) => r.chunk).length, 28);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
  it("yields raw texts for parsing elsewhere (truncated file: 3 texts)", async () => {
    const texts = [];
    for await (const t of readStreamChunkTexts(TRUNC)) texts.push(t);
    assert.equal(texts.length, 3);
    assert.ok(texts[0]!.text.startsWith("----- Begin chunk -----\nImage filename: sim_ed.h5\nEvent: //0\n"));
    assert.ok(texts[0]!.text.endsWith("----- End chunk -----\n"));
    assert.ok(texts[2]!.text.endsWith("-40  -30   29       3."));
  });
});
