/**
 * Virtual file (data-model.md §7.7) read back with h5py: selected shots of two pre-processed files
 * in one subset, peaks shifted to the virtual detector centre (zero padding stays zero), original
 * file/Event kept, detector shifts stored, dummy image stack of the right shape that stores nothing.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execFileSync } from "node:child_process";
import { makeTable } from "../../src/core/dataset/table.ts";
import { writeNexusFile } from "../../src/main/h5/writer.ts";
import { shotKey, writeVirtualFile } from "../../src/main/geometry/virtual-file.ts";

const W = 5;

async function makeInput(path: string, nShots: number, seed: number): Promise<{ x: number[][]; y: number[][]; cx: number[]; cy: number[]; sel: boolean[] }> {
  let s = seed;
  const rnd = (): number => { s = (s * 1103515245 + 12345) % 2147483648; return s / 2147483648; };
  const x: number[][] = [], y: number[][] = [], cx: number[] = [], cy: number[] = [], sel: boolean[] = [];
  for (let k = 0; k < nShots; k++) {
    const n = 1 + Math.floor(rnd() * (W - 1));
    x.push(Array.from({ length: W }, (_, i) => (i < n ? 10 + rnd() * 500 : 0)));
    y.push(Array.from({ length: W }, (_, i) => (i < n ? 10 + rnd() * 500 : 0)));
    cx.push(200 + rnd() * 50); cy.push(250 + rnd() * 50); sel.push(k % 3 !== 1);
  }
  const shots = makeTable([
    ["file", { type: "string", data: Array.from({ length: nShots }, () => path) }],
    ["Event", { type: "string", data: Array.from({ length: nShots }, (_, k) => `entry//${k}`) }],
    ["crystal_id", { type: "int", data: Float64Array.from({ length: nShots }, (_, k) => seed * 100 + k) }],
    ["center_x", { type: "float", data: Float64Array.from(cx) }],
    ["center_y", { type: "float", data: Float64Array.from(cy) }],
    ["selected", { type: "bool", data: Uint8Array.from(sel, (b) => (b ? 1 : 0)) }],
  ]);
  const nPeaks = x.map((r) => r.filter((v) => v !== 0).length);
  await writeNexusFile(path, {
    subset: "entry", shots,
    stacks: new Map([
      ["nPeaks", { shape: [nShots], dtype: "<i4", getShot: (k: number) => Int32Array.of(nPeaks[k]!) }],
      ["peakXPosRaw", { shape: [nShots, W], dtype: "<f4", getShot: (k: number) => Float32Array.from(x[k]!) }],
      ["peakYPosRaw", { shape: [nShots, W], dtype: "<f4", getShot: (k: number) => Float32Array.from(y[k]!) }],
      ["peakTotalIntensity", { shape: [nShots, W], dtype: "<f4", getShot: (k: number) => Float32Array.from(x[k]!, (v) => (v ? 100 + k : 0)) }],
    ]),
  });
  return { x, y, cx, cy, sel };
}

describe("virtual file", () => {
  it("holds the selected shots with shifted peaks and original ids (read with h5py)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "serialed-virtual-"));
    const fa = join(dir, "a.h5"), fb = join(dir, "b.h5");
    const A = await makeInput(fa, 7, 3), B = await makeInput(fb, 5, 4);
    const shifts = new Map([[shotKey(fb, "entry//3"), { xMm: 0.125, yMm: -0.25 }]]);
    const V = 512;
    const res = await writeVirtualFile(join(dir, "virt"), [fa, fb], { virtualSizePx: V, shiftsMm: shifts });
    const selA = A.sel.map((b, k) => (b ? k : -1)).filter((k) => k >= 0), selB = B.sel.map((b, k) => (b ? k : -1)).filter((k) => k >= 0);
    assert.equal(res.nShots, selA.length + selB.length);
    assert.equal(readFileSync(res.lstPath, "utf8").trim(), res.h5Path);
    const py = `
import h5py, json, sys
f = h5py.File(sys.argv[1], "r")
d = f["/entry/data"]; s = f["/entry/shots"]
dec = lambda a: [v.decode() if isinstance(v, bytes) else str(v) for v in a]
img = d[d.attrs["signal"]]
print(json.dumps({
  "zchunks": int(d.attrs["recommended_zchunks"]), "signal": str(d.attrs["signal"]),
  "img_shape": list(img.shape), "img_dtype": str(img.dtype), "img_sum": int(img[:, :, :].astype("int64").sum()),
  "img_storage": int(img.id.get_storage_size()),
  "gzip": [d[k].compression for k in ("nPeaks", "peakXPosRaw", "peakYPosRaw", "peakTotalIntensity")],
  "nPeaks": d["nPeaks"][:].tolist(), "x": d["peakXPosRaw"][:].tolist(), "y": d["peakYPosRaw"][:].tolist(),
  "Event": dec(s["Event"][:]), "_file": dec(s["_file"][:]), "_Event": dec(s["_Event"][:]),
  "file_raw": dec(s["file_raw"][:]), "Event_raw": dec(s["Event_raw"][:]),
  "shot_in_subset": s["shot_in_subset"][:].tolist(), "crystal_id": s["crystal_id"][:].tolist(),
  "sx": [None if v != v else v for v in s["det_shift_x_mm"][:].tolist()], "sy": [None if v != v else v for v in s["det_shift_y_mm"][:].tolist()],
}))`;
    const out = JSON.parse(execFileSync("/usr/bin/python3", ["-c", py, res.h5Path], { encoding: "utf8" })) as Record<string, unknown>;
    const n = res.nShots;
    assert.equal(out.zchunks, -1);
    assert.deepEqual(out.img_shape, [n, V, V]);
    assert.equal(out.img_dtype, "int8");
    assert.equal(out.img_sum, 0);
    assert.equal(out.img_storage, 0, "no image chunk is stored");
    assert.ok(statSync(res.h5Path).size < 200_000, `file size ${statSync(res.h5Path).size}`);
    assert.deepEqual(out.gzip, ["gzip", "gzip", "gzip", "gzip"]);
    assert.deepEqual(out.shot_in_subset, Array.from({ length: n }, (_, k) => k));
    assert.deepEqual(out.Event, Array.from({ length: n }, (_, k) => `entry//${k}`));
    const orig = [...selA.map((k) => ({ f: fa, k, d: A })), ...selB.map((k) => ({ f: fb, k, d: B }))];
    assert.deepEqual(out._file, orig.map((o) => o.f));
    assert.deepEqual(out._Event, orig.map((o) => `entry//${o.k}`));
    assert.deepEqual(out.file_raw, out._file);
    assert.deepEqual(out.Event_raw, out._Event);
    assert.deepEqual(out.crystal_id, orig.map((o) => (o.f === fa ? 300 : 400) + o.k));
    const xs = out.x as number[][], ys = out.y as number[][], np = out.nPeaks as number[];
    orig.forEach((o, v) => {
      const rx = o.d.x[o.k]!, ry = o.d.y[o.k]!;
      assert.equal(np[v], rx.filter((q) => q !== 0).length);
      for (let i = 0; i < rx.length; i++) {
        const ex = rx[i] !== 0 ? rx[i]! - o.d.cx[o.k]! + V / 2 - 0.5 : 0, ey = ry[i] !== 0 ? ry[i]! - o.d.cy[o.k]! + V / 2 - 0.5 : 0;
        assert.ok(Math.abs(xs[v]![i]! - ex) < 1e-3 && Math.abs(ys[v]![i]! - ey) < 1e-3, `shot ${v} peak ${i}: (${xs[v]![i]}, ${ys[v]![i]}) vs (${ex}, ${ey})`);
      }
    });
    const withShift = orig.findIndex((o) => o.f === fb && o.k === 3);
    assert.ok(withShift >= 0);
    const sx = out.sx as (number | null)[], sy = out.sy as (number | null)[];
    assert.equal(sx[withShift], 0.125);
    assert.equal(sy[withShift], -0.25);
    assert.equal(sx[0], null);
  });

  it("names the file when a shot table has no centres", async () => {
    const dir = mkdtempSync(join(tmpdir(), "serialed-virtual-bad-"));
    const f = join(dir, "nocentre.h5");
    await writeNexusFile(f, {
      subset: "entry", shots: makeTable([["crystal_id", { type: "int", data: Float64Array.of(1) }]]),
      stacks: new Map([
        ["nPeaks", { shape: [1], dtype: "<i4", getShot: () => Int32Array.of(0) }],
        ["peakXPosRaw", { shape: [1, 2], dtype: "<f4", getShot: () => new Float32Array(2) }],
        ["peakYPosRaw", { shape: [1, 2], dtype: "<f4", getShot: () => new Float32Array(2) }],
        ["peakTotalIntensity", { shape: [1, 2], dtype: "<f4", getShot: () => new Float32Array(2) }],
      ]),
    });
    await assert.rejects(writeVirtualFile(join(dir, "v"), [f]), (e: Error) => e.message.includes(f) && /center_x/.test(e.message));
  });
});
