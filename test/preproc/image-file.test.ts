import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execFileSync } from "node:child_process";
import { readTiff } from "../../src/main/preproc/tiff.ts";
import { readMaskOrReference } from "../../src/main/preproc/image-file.ts";

/** Little-endian uncompressed single-strip TIFF (16-bit unsigned or 32-bit float). */
function tiff(W: number, H: number, values: number[], float: boolean): Buffer {
  const bps = float ? 4 : 2;
  const nTags = 9;
  const ifd = 8, dataOff = ifd + 2 + nTags * 12 + 4;
  const b = Buffer.alloc(dataOff + W * H * bps);
  b.write("II", 0, "latin1"); b.writeUInt16LE(42, 2); b.writeUInt32LE(ifd, 4);
  b.writeUInt16LE(nTags, ifd);
  const tags: [number, number, number][] = [[256, 3, W], [257, 3, H], [258, 3, bps * 8], [259, 3, 1], [262, 3, 1], [273, 4, dataOff], [277, 3, 1], [279, 4, W * H * bps], [339, 3, float ? 3 : 1]];
  tags.forEach(([tag, type, v], k) => { const e = ifd + 2 + 12 * k; b.writeUInt16LE(tag, e); b.writeUInt16LE(type, e + 2); b.writeUInt32LE(1, e + 4); if (type === 3) b.writeUInt16LE(v, e + 8); else b.writeUInt32LE(v, e + 8); });
  values.forEach((v, i) => (float ? b.writeFloatLE(v, dataOff + 4 * i) : b.writeUInt16LE(v, dataOff + 2 * i)));
  return b;
}

describe("mask and reference files", () => {
  const dir = mkdtempSync(join(tmpdir(), "serialed-imgfile-"));
  it("reads uncompressed TIFFs (uint16 mask, float32 reference) and rejects bad ones clearly", async () => {
    writeFileSync(join(dir, "m.tif"), tiff(3, 2, [0, 255, 0, 0, 0, 1], false));
    writeFileSync(join(dir, "r.tif"), tiff(3, 2, [1, 1.5, 0.5, 1, 1, 1], true));
    assert.deepEqual([...(await readMaskOrReference(join(dir, "m.tif"), "mask")).data], [0, 1, 0, 0, 0, 1]);
    const r = readTiff(join(dir, "r.tif"));
    assert.deepEqual(r.shape, [2, 3]);
    assert.deepEqual([...r.data], [1, 1.5, 0.5, 1, 1, 1]);
    writeFileSync(join(dir, "bad.tif"), "not a tiff at all");
    assert.throws(() => readTiff(join(dir, "bad.tif")), /bad\.tif: not a TIFF file/);
    writeFileSync(join(dir, "short.tif"), tiff(3, 2, [0, 0, 0, 0, 0, 0], false).subarray(0, 60));
    assert.throws(() => readTiff(join(dir, "short.tif")), /short\.tif: truncated TIFF/);
  });
  it("reads HDF5 masks: /pxmask (1 = dead) or CrystFEL /mask (1 = good, inverted)", async () => {
    const py = `import h5py, numpy as np
with h5py.File(${JSON.stringify(join(dir, "a.h5"))}, "w") as f:
    f["pxmask"] = np.array([[0, 1, 0], [0, 0, 1]], dtype="u1")
with h5py.File(${JSON.stringify(join(dir, "b.h5"))}, "w") as f:
    f["mask"] = np.array([[1, 0, 1], [1, 1, 1]], dtype="u1")
    f["gain"] = np.array([[1.0, 2.0, 1.0], [1.0, 1.0, 0.5]], dtype="f4")`;
    execFileSync("/usr/bin/python3", ["-c", py]);
    assert.deepEqual([...(await readMaskOrReference(join(dir, "a.h5"), "mask")).data], [0, 1, 0, 0, 0, 1]);
    assert.deepEqual([...(await readMaskOrReference(join(dir, "b.h5"), "mask")).data], [0, 1, 0, 0, 0, 0]);
    assert.deepEqual([...(await readMaskOrReference(`${join(dir, "b.h5")}:/gain`, "reference")).data], [1, 2, 1, 1, 1, 0.5]);
    await assert.rejects(readMaskOrReference(`${join(dir, "b.h5")}:/nope`, "mask"), /b\.h5:\/nope: /);
    rmSync(dir, { recursive: true, force: true });
  });
});
