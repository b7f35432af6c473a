/**
 * Test helpers for the h5py-written fixtures (test/fixtures/h5/make_fixtures.py): the frame formula,
 * and running the generator into a fresh temporary folder.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));

/** frame[i, y, x] = (7x + 13y + 1009i + (x·y) mod 97) mod 5000, uint16, row-major [y, x]. */
export function expectedFrame(i: number, ny: number, nx: number): Uint16Array {
  const a = new Uint16Array(ny * nx);
  for (let y = 0; y < ny; y++) for (let x = 0; x < nx; x++) a[y * nx + x] = (7 * x + 13 * y + 1009 * i + ((x * y) % 97)) % 5000;
  return a;
}

/** Runs make_fixtures.py into a new temp dir and returns it. */
export function makeFixtures(fullSize = false): string {
  const dir = mkdtempSync(join(tmpdir(), "serialed-h5fx-"));
  execFileSync("/usr/bin/python3", [join(here, "../fixtures/h5/make_fixtures.py"), dir, ...(fullSize ? ["--full-size"] : [])], { stdio: "pipe" });
  return dir;
}
