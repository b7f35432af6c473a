// Frame read speed: one 1556×516 uint16 frame from an LZ4 (32004) file, chunk = 1 frame, read through
// the project (openDataset → readFrame, h5wasm + LZ4 plugin) vs h5py + hdf5plugin on the same file and
// the same frame sequence (timed with perf_counter in a Python subprocess: the baseline).
// Target: project ≤ 1.0× h5py's median and < 3 ms per frame. Also reports bitshuffle-LZ4 and gzip.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openDataset } from "../src/main/dataset/open-dataset.ts";

const N_FRAMES = 20, READS = 200;
const median = (a: number[]): number => { const s = [...a].sort((x, y) => x - y); return s[Math.floor(s.length / 2)]!; };
const p95 = (a: number[]): number => { const s = [...a].sort((x, y) => x - y); return s[Math.min(s.length - 1, Math.floor(0.95 * s.length))]!; };
const order = Array.from({ length: READS }, (_, k) => (k * 7) % N_FRAMES);

const dir = mkdtempSync(join(tmpdir(), "serialed-bench-h5-"));
const PY_MAKE = `
import sys, numpy as np, h5py, hdf5plugin
rng = np.random.default_rng(1)
y, x = np.mgrid[0:516, 0:1556]
r = np.hypot(x - 778, y - 258)
bg = 40 * np.exp(-r / 150) + 2
for name, comp in (("lz4", hdf5plugin.LZ4()), ("bslz4", hdf5plugin.Bitshuffle(cname="lz4")), ("gzip", dict(compression="gzip", compression_opts=4))):
    with h5py.File(sys.argv[1] + "/" + name + ".h5", "w") as f:
        d = f.create_dataset("entry/data/raw_counts", shape=(${N_FRAMES}, 516, 1556), dtype="<u2", chunks=(1, 516, 1556), **comp)
        f["entry/data"].attrs["signal"] = "raw_counts"
        for i in range(${N_FRAMES}):
            img = rng.poisson(bg).astype(np.uint16)
            img[rng.integers(0, 516, 300), rng.integers(0, 1556, 300)] += rng.integers(50, 3000, 300).astype(np.uint16)
            d[i] = img
`;
const PY_TIME = `
import sys, json, time, h5py, hdf5plugin
order = json.loads(sys.argv[2])
with h5py.File(sys.argv[1], "r") as f:
    d = f["entry/data/raw_counts"]
    d[0]
    out = []
    for i in order:
        t = time.perf_counter(); a = d[i]; out.append((time.perf_counter() - t) * 1000)
print(json.dumps(out))
`;

try {
  execFileSync("/usr/bin/python3", ["-c", PY_MAKE, dir], { stdio: "inherit" });
  console.log(`load average ${(await import("node:os")).loadavg().map((v) => v.toFixed(1)).join(" ")} (figures are only comparable on an idle machine)`);
  console.log(`h5-read: ${READS} reads cycling over ${N_FRAMES} frames of 516×1556 uint16, chunk = 1 frame (median, p95 in ms)`);
  for (const name of ["lz4", "bslz4", "gzip"]) {
    const file = join(dir, `${name}.h5`);
    const pyMs = JSON.parse(execFileSync("/usr/bin/python3", ["-c", PY_TIME, file, JSON.stringify(order)], { encoding: "utf8" })) as number[];
    const od = await openDataset([file]);
    od.readFrame("raw_counts", 0); // warm-up (first read pays plugin loading)
    const ms: number[] = [];
    let check = 0;
    for (const i of order) {
      const t = performance.now();
      const f = od.readFrame("raw_counts", i);
      ms.push(performance.now() - t);
      check += f.data[1000]!;
    }
    od.close();
    const ratio = median(ms) / median(pyMs);
    const sizeMb = statSync(file).size / 1e6;
    console.log(`  ${name.padEnd(6)} file ${sizeMb.toFixed(1)} MB | project median ${median(ms).toFixed(2)} p95 ${p95(ms).toFixed(2)} min ${Math.min(...ms).toFixed(2)} | h5py median ${median(pyMs).toFixed(2)} p95 ${p95(pyMs).toFixed(2)} min ${Math.min(...pyMs).toFixed(2)} | ratio ${ratio.toFixed(2)}×  (checksum ${check})`);
    if (name === "lz4") {
      const ok = ratio <= 1.0 && median(ms) < 3;
      console.log(`  target (lz4): project ≤ 1.0× h5py and < 3 ms/frame → ${ok ? "MET" : "NOT MET"} (${median(ms).toFixed(2)} ms, ${ratio.toFixed(2)}×)`);
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
