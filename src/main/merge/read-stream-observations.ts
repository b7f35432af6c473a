/**
 * Reads CrystFEL .stream files chunk by chunk (helper "formats"' stream index and chunk parser) into
 * columnar merge observations (bounded memory: only the typed columns grow). Incomplete chunks
 * (truncated file, malformed reflection lines) are skipped with a warning naming the file, chunk and
 * line, as partialator does.
 */
import { closeSync, existsSync, openSync, readSync } from "node:fs";
import type { CrystalInputs, Observations } from "../../core/merging/observations.ts";
import { readStreamChunks } from "../stream/stream-index.ts";

/** hc in eV·Å: λ[Å] = HC_EV_A / E[eV] (CrystFEL writes photon_energy_eV = hc/λ also for electrons). */
const HC_EV_A = 12398.41984332;

class Growable<T extends Float64Array | Int32Array> {
  data: T;
  length = 0;
  constructor(private readonly make: (n: number) => T) {
    this.data = make(4096);
  }
  push(v: number): void {
    if (this.length === this.data.length) {
      const next = this.make(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = v;
  }
  truncate(n: number): void {
    this.length = n;
  }
  result(): T {
    return this.data.slice(0, this.length) as T;
  }
}

export interface StreamObservations {
  readonly observations: Observations;
  readonly crystals: CrystalInputs;
  /** Wavelength of the first chunk, Å (NaN if none was found). */
  readonly wavelengthA: number;
  /** Problems that made the reader skip a chunk or crystal. */
  readonly warnings: readonly string[];
  readonly chunks: number;
}

/**
 * Reads observations of every crystal of one or more streams, crystal indices continuing across files
 * (stream order). `maxCrystals` stops early (like partialator --stop-after). Chunks come from the
 * stream index of helper "formats" (src/main/stream/stream-index.ts): broken chunks are reported as
 * warnings and skipped.
 */
export async function readStreamObservations(paths: readonly string[], opts: { maxCrystals?: number; onProgress?: (bytes: number) => void } = {}): Promise<StreamObservations> {
  const crystal = new Growable((n) => new Int32Array(n));
  const H = new Growable((n) => new Int32Array(n));
  const K = new Growable((n) => new Int32Array(n));
  const L = new Growable((n) => new Int32Array(n));
  const I = new Growable((n) => new Float64Array(n));
  const S = new Growable((n) => new Float64Array(n));
  const D = new Growable((n) => new Float64Array(n));
  const X = new Growable((n) => new Float64Array(n));
  const profile: number[] = [];
  const resLimit: number[] = [];
  const labels: string[] = [];
  const warnings: string[] = [];
  let firstWavelength = Number.NaN;
  let chunks = 0;
  const maxCrystals = opts.maxCrystals ?? Number.POSITIVE_INFINITY;
  let bytesBefore = 0;
  outer: for (const path of paths) {
    if (!existsSync(path)) throw new Error(`stream ${path} does not exist`);
    let headerWavelength = Number.NaN;
    try {
      const headText = readFirstBytes(path, 65536);
      const m = /^wavelength\s*=\s*([\d.eE+-]+)\s*(A|m)?/m.exec(headText.split("----- Begin chunk -----")[0] ?? "");
      if (m !== null) headerWavelength = Number(m[1]) * (m[2] === "m" ? 1e10 : 1);
    } catch {
      // header wavelength is only a fallback
    }
    let lastEnd = 0;
    for await (const res of readStreamChunks(path)) {
      chunks++;
      lastEnd = res.location.offset + res.location.length;
      opts.onProgress?.(bytesBefore + lastEnd);
      if (res.error !== null) {
        warnings.push(`${res.error.message}; chunk ${res.location.filename} ${res.location.event} skipped`);
        continue;
      }
      const ch = res.chunk;
      const e = Number(ch.fields.get("photon_energy_eV") ?? Number.NaN);
      const wl = Number(ch.fields.get("wavelength_A") ?? Number.NaN);
      const wavelength = e > 0 ? HC_EV_A / e : wl > 0 ? wl : headerWavelength;
      if (Number.isNaN(firstWavelength)) firstWavelength = wavelength;
      const kk = 10 / wavelength; // 1/λ, nm⁻¹
      let nCr = 0;
      for (const cr of ch.crystals) {
        if (labels.length >= maxCrystals) break outer;
        const ci = labels.length;
        profile.push(cr.profileRadiusInvNm ?? Number.NaN);
        resLimit.push(cr.resolutionLimitInvNm ?? Number.NaN);
        labels.push(`${ch.filename} ${ch.event} #${nCr++}`.trim());
        const a = cr.basis.astar, b = cr.basis.bstar, c = cr.basis.cstar;
        const r = cr.reflections;
        for (let i = 0; i < r.count; i++) {
          const h = r.h[i]!, k = r.k[i]!, l = r.l[i]!;
          const qx = h * a[0] + k * b[0] + l * c[0];
          const qy = h * a[1] + k * b[1] + l * c[1];
          const qz = h * a[2] + k * b[2] + l * c[2];
          crystal.push(ci);
          H.push(h); K.push(k); L.push(l); I.push(r.intensity[i]!); S.push(r.sigma[i]!);
          D.push(Math.hypot(qx, qy, qz));
          // Ewald sphere centred at (0, 0, −1/λ), as CrystFEL's check_reflection
          X.push(Number.isFinite(kk) ? kk - Math.hypot(qx, qy, qz + kk) : Number.NaN);
        }
      }
    }
    bytesBefore += lastEnd;
  }
  const count = crystal.length;
  return {
    observations: { count, crystal: crystal.result(), h: H.result(), k: K.result(), l: L.result(), intensity: I.result(), sigma: S.result(), invDNm: D.result(), excitationErrorInvNm: X.result() },
    crystals: { count: labels.length, profileRadiusInvNm: Float64Array.from(profile), resolutionLimitInvNm: Float64Array.from(resLimit), labels },
    wavelengthA: firstWavelength,
    warnings,
    chunks,
  };
}

function readFirstBytes(path: string, n: number): string {
  const fd = openSync(path, "r");
  try {
    const buf = Buffer.alloc(n);
    const got = readSync(fd, buf, 0, n, 0);
    return buf.subarray(0, got).toString("utf8");
  } finally {
    closeSync(fd);
  }
}
