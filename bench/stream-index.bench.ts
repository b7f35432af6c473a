// Stream indexing throughput on a generated ~1 GB CrystFEL stream (fixture chunks repeated with
// unique events), against raw sequential reads of the same file (same block size, same process)
// and a naive readline index. Also per-chunk parse time. Target: indexing ≥ 300 MB/s.
import { closeSync, createReadStream, mkdtempSync, openSync, readFileSync, readSync, rmSync, writeSync, writevSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { StreamFile, readStreamChunkTexts } from "../src/main/stream/stream-index.ts";
import { parseStreamChunk } from "../src/core/formats/stream-reader.ts";

const TARGET_MB_S = 300;
const SIZE_TARGET = Number(process.env["STREAM_BENCH_BYTES"] ?? 1024 ** 3);
const BLOCK = 8 * 1024 * 1024;

const median = (a: number[]): number => { const s = [...a].sort((x, y) => x - y); return s[Math.floor(s.length / 2)]!; };
const pct = (a: number[], p: number): number => { const s = [...a].sort((x, y) => x - y); return s[Math.min(s.length - 1, Math.floor(p * s.length))]!; };

const fixture = readFileSync("/work/shared/fixtures/crystfel/lyso_ed.stream", "utf8");
const first = fixture.indexOf("----- Begin chunk -----");
const header = fixture.slice(0, first);
const chunkTexts = fixture.slice(first).split(/(?<=----- End chunk -----\n)/).filter((c) => c.length > 0);
// Pre-split each chunk around its serial number and event so that copies are cheap to make.
const parts = chunkTexts.map((c) => {
  const m = /^Event: \/\/\d+\nImage serial number: \d+\n/m.exec(c);
  if (!m) throw new Error("fixture chunk without Event/serial lines");
  return [Buffer.from(c.slice(0, m.index)), Buffer.from(c.slice(m.index + m[0].length))] as const;
});
const cpuMs = (): number => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };

const dir = mkdtempSync(join(tmpdir(), "serialed-bench-stream-"));
const path = join(dir, "big.stream");
try {
  // ---- generate
  let t0 = performance.now();
  const fd = openSync(path, "w");
  writeSync(fd, header);
  let written = Buffer.byteLength(header);
  let nChunks = 0;
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  const flush = (): void => { written += writevSync(fd, pending); pending = []; pendingBytes = 0; };
  while (written + pendingBytes < SIZE_TARGET) {
    for (const [pre, post] of parts) {
      const mid = Buffer.from(`Event: //${nChunks}\nImage serial number: ${nChunks + 1}\n`);
      pending.push(pre, mid, post);
      pendingBytes += pre.length + mid.length + post.length;
      nChunks++;
      if (pending.length >= 900) flush();
    }
  }
  if (pending.length) flush();
  closeSync(fd);
  const mb = written / 1e6;
  console.log(`generated ${mb.toFixed(0)} MB, ${nChunks} chunks in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

  // ---- baseline 1: raw sequential read, same block size
  const rawRead = (): number => {
    const buf = Buffer.allocUnsafe(BLOCK);
    const f = openSync(path, "r");
    const t = performance.now();
    let pos = 0;
    let n: number;
    while ((n = readSync(f, buf, 0, BLOCK, pos)) > 0) pos += n;
    const dt = performance.now() - t;
    closeSync(f);
    return dt;
  };
  const rawMs: number[] = [];
  let c0 = cpuMs();
  for (let i = 0; i < 3; i++) rawMs.push(rawRead());
  const rawCpu = (cpuMs() - c0) / 3;

  // ---- indexing
  const idxMs: number[] = [];
  let found = 0;
  c0 = cpuMs();
  for (let i = 0; i < 3; i++) {
    t0 = performance.now();
    const sf = await StreamFile.open(path, { blockBytes: BLOCK });
    idxMs.push(performance.now() - t0);
    found = sf.chunks.length;
    await sf.close();
  }
  const idxCpu = (cpuMs() - c0) / 3;
  if (found !== nChunks) throw new Error(`indexer found ${found} chunks, generated ${nChunks}`);

  // ---- baseline 2: naive readline index (once, on the first 200 MB: it is slow)
  const rlBytes = Math.min(written, 200e6);
  t0 = performance.now();
  let rlChunks = 0;
  const rl = createInterface({ input: createReadStream(path, { highWaterMark: 1 << 20, end: rlBytes - 1 }), crlfDelay: Infinity });
  for await (const line of rl) if (line === "----- Begin chunk -----") rlChunks++;
  const rlMs = performance.now() - t0;
  if (rlChunks < 1) throw new Error("readline found no chunks");

  const idxRate = mb / (median(idxMs) / 1000);
  const rawRate = mb / (median(rawMs) / 1000);
  const rlRate = rlBytes / 1e6 / (rlMs / 1000);
  console.log(`raw sequential read (8 MiB blocks): median ${median(rawMs).toFixed(0)} ms = ${rawRate.toFixed(0)} MB/s`);
  console.log(`naive readline index (first ${(rlBytes / 1e6).toFixed(0)} MB): ${rlMs.toFixed(0)} ms = ${rlRate.toFixed(0)} MB/s`);
  console.log(`stream index (${nChunks} chunks):       median ${median(idxMs).toFixed(0)} ms = ${idxRate.toFixed(0)} MB/s  [target ≥ ${TARGET_MB_S} MB/s: ${idxRate >= TARGET_MB_S ? "MET" : "NOT MET"}]`);
  console.log(`CPU time per pass (wall time suffers when other jobs load the machine): raw read ${rawCpu.toFixed(0)} ms = ${(mb / (rawCpu / 1000)).toFixed(0)} MB/s-cpu, index ${idxCpu.toFixed(0)} ms = ${(mb / (idxCpu / 1000)).toFixed(0)} MB/s-cpu`);
  console.log(`ratio index/raw read = ${(idxRate / rawRate).toFixed(2)}, index/readline = ${(idxRate / rlRate).toFixed(1)}x`);

  // ---- per-chunk parse time (first 600 chunks, on-demand path and sequential path)
  const sf = await StreamFile.open(path, { blockBytes: BLOCK });
  const per: number[] = [];
  let parsedBytes = 0;
  const nParse = Math.min(600, sf.chunks.length);
  for (let i = 0; i < nParse; i++) {
    const t = performance.now();
    await sf.readChunk(i);
    per.push(performance.now() - t);
    parsedBytes += sf.chunks[i]!.length;
  }
  await sf.close();
  const sum = per.reduce((a, b) => a + b, 0);
  console.log(`readChunk (pread + parse), ${nParse} chunks of ~${(parsedBytes / nParse / 1e3).toFixed(0)} kB: median ${median(per).toFixed(2)} ms, p95 ${pct(per, 0.95).toFixed(2)} ms, ${(parsedBytes / 1e6 / (sum / 1000)).toFixed(0)} MB/s`);
  t0 = performance.now();
  c0 = cpuMs();
  let seqBytes = 0, seqN = 0;
  for await (const { text, location } of readStreamChunkTexts(path, { blockBytes: BLOCK })) {
    parseStreamChunk(text);
    seqBytes += location.length;
    if (++seqN >= 2000) break;
  }
  const seqMs = performance.now() - t0;
  const seqCpu = cpuMs() - c0;
  console.log(`sequential read + parse, ${seqN} chunks: ${(seqMs / seqN).toFixed(2)} ms/chunk wall, ${(seqBytes / 1e6 / (seqMs / 1000)).toFixed(0)} MB/s wall, ${(seqBytes / 1e6 / (seqCpu / 1000)).toFixed(0)} MB/s-cpu (one thread)`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
