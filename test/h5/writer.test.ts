import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, writeFileSync, existsSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { writeNexusFile } from "../../src/main/h5/writer.ts";
import type { NexusFileContent, StackToWrite } from "../../src/main/h5/nexus-types.ts";
import { makeTable } from "../../src/core/dataset/table.ts";

const here = dirname(fileURLToPath(import.meta.url));
const describeScript = join(here, "../fixtures/h5/describe_h5.py");

interface DsInfo { dtype: string; shape: number[]; chunks: number[] | null; filters: (number | string)[]; values?: unknown; frame_sha256?: string[] }
interface Described { datasets: Record<string, DsInfo>; links: Record<string, string>; attrs: Record<string, Record<string, unknown>> }

export function describeWithH5py(path: string): Described {
  return JSON.parse(execFileSync("/usr/bin/python3", [describeScript, path], { encoding: "utf8", maxBuffer: 256 << 20 })) as Described;
}

function sha(a: ArrayBufferView): string {
  return createHash("sha256").update(new Uint8Array(a.buffer, a.byteOffset, a.byteLength)).digest("hex");
}

const NY = 516, NX = 1556;
function frameU16(i: number): Uint16Array {
  const a = new Uint16Array(NY * NX);
  for (let k = 0; k < a.length; k++) a[k] = (k * 13 + i * 101 + ((k >> 7) % 97)) % 4096;
  return a;
}

function sampleContent(n: number): NexusFileContent {
  const shots = makeTable([
    ["file", { type: "string", data: Array.from({ length: n }, () => "out/x.h5") }],
    ["subset", { type: "string", data: Array.from({ length: n }, () => "entry") }],
    ["Event", { type: "string", data: Array.from({ length: n }, (_, i) => `entry//${i}`) }],
    ["shot_in_subset", { type: "int", data: Float64Array.from({ length: n }, (_, i) => i) }],
    ["crystal_id", { type: "int", data: Float64Array.from({ length: n }, (_, i) => (i === 0 ? -1 : Math.floor((i - 1) / 2))) }],
    ["frame", { type: "int", data: Float64Array.from({ length: n }, (_, i) => (i === 0 ? -1 : (i - 1) % 2)) }],
    ["selected", { type: "bool", data: Uint8Array.from({ length: n }, (_, i) => (i % 3 === 0 ? 0 : 1)) }],
    ["center_x", { type: "float", data: Float64Array.from({ length: n }, (_, i) => 778.25 + i * 0.5) }],
    ["sample", { type: "string", data: Array.from({ length: n }, () => "lysø") }],
    ["pos.x/um", { type: "float", data: Float64Array.from({ length: n }, (_, i) => i * 1.5) }],
  ]);
  const features = makeTable([
    ["crystal_id", { type: "int", data: Float64Array.of(0, 1, 2) }],
    ["crystal_x", { type: "float", data: Float64Array.of(10.5, 20.25, 30) }],
    ["crystal_y", { type: "float", data: Float64Array.of(1, 2, 3) }],
  ]);
  const img: StackToWrite = { shape: [n, NY, NX], dtype: "<u2", compression: "lz4", getShot: (i) => frameU16(i) };
  const bs: StackToWrite = { shape: [n, 20, 30], dtype: "<i4", compression: "bitshuffle-lz4", getShot: (i) => Int32Array.from({ length: 600 }, (_, k) => k * i - 300) };
  const gz: StackToWrite = { shape: [n, 20, 30], dtype: "<f4", compression: "gzip", getShot: (i) => Float32Array.from({ length: 600 }, (_, k) => k / (i + 1)) };
  const peaks: StackToWrite = { shape: [n, 5], dtype: "<f8", compression: "none", getShot: (i) => Float64Array.of(i, i + 0.5, 0, 0, 0) };
  const npk: StackToWrite = { shape: [n], dtype: "<i8", getShot: (i) => Float64Array.of(i % 3) };
  const mapData = Float32Array.from({ length: 40 * 60 }, (_, k) => (k % 60) * 0.25);
  return {
    subset: "entry", shots, features,
    stacks: new Map([["raw_counts", img], ["bs", bs], ["gz", gz], ["peakXPosRaw", peaks], ["nPeaks", npk]]),
    signal: "raw_counts",
    mapImage: { data: mapData, shape: [40, 60], pixelSizeUm: 0.5 },
    sample: { name: "lyso", regionId: 3, runId: 7 },
    instrument: new Map<string, number | string>([["detector/collection/shutter_time", 0.05], ["electron_source/voltage_kv", 200], ["detector/name", "Lambda 750k"]]),
  };
}

describe("writeNexusFile", () => {
  it("writes the diffractem layout that h5py reads back exactly", async () => {
    const dir = mkdtempSync(join(tmpdir(), "serialed-writer-"));
    const path = join(dir, "x.h5");
    const n = 5;
    const content = sampleContent(n);
    const progress: number[] = [];
    await writeNexusFile(path, content, { onProgress: (d) => progress.push(d) });
    assert.deepEqual(readdirSync(dir), ["x.h5"], "temporary file renamed away");
    assert.equal(progress.at(-1), n);

    const d = describeWithH5py(path);
    assert.equal(d.attrs["/entry"]?.["NX_class"], "NXentry");
    assert.equal(d.attrs["/entry/data"]?.["NX_class"], "NXdata");
    assert.equal(d.attrs["/entry/data"]?.["signal"], "raw_counts");
    assert.equal(d.attrs["/entry/shots"]?.["NX_class"], "NXcollection");
    assert.equal(d.links["/entry/map/image"], "/entry/instrument_map/STEM_Image/data");

    const raw = d.datasets["/entry/data/raw_counts"]!;
    assert.equal(raw.dtype, "<u2");
    assert.deepEqual(raw.shape, [n, NY, NX]);
    assert.deepEqual(raw.chunks, [1, NY, NX]);
    assert.deepEqual(raw.filters, [32004]);
    assert.deepEqual(raw.frame_sha256, Array.from({ length: n }, (_, i) => sha(frameU16(i))));

    assert.deepEqual(d.datasets["/entry/data/bs"]!.filters, [32008]);
    assert.deepEqual(d.datasets["/entry/data/bs"]!.chunks, [1, 20, 30]);
    assert.deepEqual((d.datasets["/entry/data/bs"]!.values as number[][][])[2]![1]![3], 33 * 2 - 300);
    assert.deepEqual(d.datasets["/entry/data/gz"]!.filters, ["gzip"]);
    assert.ok(Math.abs((d.datasets["/entry/data/gz"]!.values as number[][][])[3]![2]![5]! - 65 / 4) < 1e-5);
    assert.deepEqual(d.datasets["/entry/data/peakXPosRaw"]!.filters, []);
    assert.deepEqual((d.datasets["/entry/data/peakXPosRaw"]!.values as number[][])[4], [4, 4.5, 0, 0, 0]);
    assert.equal(d.datasets["/entry/data/nPeaks"]!.dtype, "<i8");
    assert.deepEqual(d.datasets["/entry/data/nPeaks"]!.values, [0, 1, 2, 0, 1]);
    assert.deepEqual(d.datasets["/entry/data/index"]!.values, [0, 1, 2, 3, 4]);

    for (const [name, col] of content.shots.columns) {
      const dsName = name.replace(/\//g, "_").replace(/\./g, " ");
      const got = d.datasets[`/entry/shots/${dsName}`];
      assert.ok(got, `column ${name} present`);
      assert.equal(d.attrs[`/entry/shots/${dsName}`]?.["label"], name);
      const expected = col.type === "string" ? [...col.data] : Array.from(col.data as ArrayLike<number>);
      assert.deepEqual(got.values, expected, `column ${name}`);
    }
    assert.equal(d.datasets["/entry/shots/crystal_id"]!.dtype, "<i8");
    assert.equal(d.datasets["/entry/shots/center_x"]!.dtype, "<f8");
    assert.deepEqual(d.datasets["/entry/map/features/crystal_x"]!.values, [10.5, 20.25, 30]);
    assert.equal(d.datasets["/entry/map/image"]!.values instanceof Array, true);
    assert.equal((d.datasets["/entry/instrument_map/STEM_Image/data"]!.values as number[][])[3]![7], 1.75);
    assert.equal(d.datasets["/entry/sample/name"]!.values, "lyso");
    assert.equal(d.datasets["/entry/sample/region_id"]!.values, 3);
    assert.equal(d.datasets["/entry/sample/run_id"]!.values, 7);
    assert.equal(d.datasets["/entry/instrument/detector/collection/shutter_time"]!.values, 0.05);
    assert.equal(d.datasets["/entry/instrument/detector/name"]!.values, "Lambda 750k");

    execFileSync("h5dump", ["-H", path], { stdio: "pipe" }); // throws on failure
    rmSync(dir, { recursive: true, force: true });
  });

  it("rejects a stack whose first axis is not the shot count and leaves no file behind", async () => {
    const dir = mkdtempSync(join(tmpdir(), "serialed-writer-"));
    const path = join(dir, "bad.h5");
    writeFileSync(path, "previous content");
    const c = sampleContent(3);
    const bad: NexusFileContent = { ...c, stacks: new Map([["raw_counts", { shape: [4, 2, 2], dtype: "<u2", getShot: () => new Uint16Array(4) }]]) };
    await assert.rejects(writeNexusFile(path, bad), (e: Error) => e.message.includes(path) && /shape \[4, 2, 2\]/.test(e.message));
    assert.deepEqual(readdirSync(dir), ["bad.h5"]);
    assert.ok(existsSync(path));
    const wrongLen: NexusFileContent = { ...c, stacks: new Map([["raw_counts", { shape: [3, 2, 2], dtype: "<u2", getShot: () => new Uint16Array(5) }]]) };
    await assert.rejects(writeNexusFile(path, wrongLen), /shot 0 has 5 values, expected 4/);
  });
});
