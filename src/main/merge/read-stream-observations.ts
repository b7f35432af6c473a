/**
 * Streams a CrystFEL .stream file line by line into columnar merge observations (bounded memory: only
 * the typed columns grow). Private, minimal reader for merging: the full stream model lives in
 * src/core/formats/stream-reader.ts (helper "formats"); this one extracts only what merging needs.
 * Incomplete chunks (truncated file, malformed reflection lines) are skipped with a warning naming the
 * file, event and line, as partialator does.
 */
import { createReadStream } from "node:fs";
import { createInterface } from "node:readline";
import type { CrystalInputs, Observations } from "../../core/merging/observations.ts";

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

interface CrystalState {
  astar: number[] | null;
  bstar: number[] | null;
  cstar: number[] | null;
  profileRadius: number;
  resLimit: number;
  inReflections: boolean;
}

const vec = (line: string, path: string, lineNo: number): number[] => {
  const m = /=\s*([-+\d.eE]+)\s+([-+\d.eE]+)\s+([-+\d.eE]+)/.exec(line);
  if (m === null) throw new Error(`${path}:${lineNo}: cannot parse reciprocal vector "${line}"`);
  return [Number(m[1]), Number(m[2]), Number(m[3])];
};

/**
 * Reads observations of every crystal of one or more streams, crystal indices continuing across files
 * (stream order). `maxCrystals` stops early (like partialator --stop-after).
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
  const cols = [crystal, H, K, L, I, S, D, X];
  const profile: number[] = [];
  const resLimit: number[] = [];
  const labels: string[] = [];
  const warnings: string[] = [];
  let firstWavelength = Number.NaN;
  let chunks = 0;
  const maxCrystals = opts.maxCrystals ?? Number.POSITIVE_INFINITY;

  for (const path of paths) {
    let headerWavelength = Number.NaN;
    let inChunk = false;
    let chunkStartRows = 0;
    let chunkStartCrystals = 0;
    let filename = "";
    let event = "";
    let wavelength = Number.NaN;
    let cr: CrystalState | null = null;
    let lineNo = 0;
    let chunkBad = false;
    let bytes = 0;
    const rl = createInterface({ input: createReadStream(path, { encoding: "utf8" }), crlfDelay: Infinity });
    const abandonChunk = (why: string): void => {
      warnings.push(`${path}: ${why} (chunk ${filename} ${event}, line ${lineNo}); chunk skipped`);
      for (const c of cols) c.truncate(chunkStartRows);
      profile.length = resLimit.length = labels.length = chunkStartCrystals;
      chunkBad = true;
      cr = null;
    };
    for await (const line of rl) {
      lineNo++;
      bytes += line.length + 1;
      if (opts.onProgress !== undefined && (lineNo & 0xffff) === 0) opts.onProgress(bytes);
      if (!inChunk) {
        if (line.startsWith("----- Begin chunk -----")) {
          if (labels.length >= maxCrystals) break;
          inChunk = true;
          chunkBad = false;
          chunkStartRows = crystal.length;
          chunkStartCrystals = labels.length;
          filename = event = "";
          wavelength = headerWavelength;
          cr = null;
          chunks++;
        } else if (line.startsWith("wavelength = ")) {
          const m = /wavelength = ([\d.eE+-]+)\s*(A|m)?/.exec(line);
          if (m !== null) headerWavelength = Number(m[1]) * (m[2] === "m" ? 1e10 : 1);
        }
        continue;
      }
      if (line.startsWith("----- End chunk -----")) {
        if (cr !== null && !chunkBad) abandonChunk("crystal block not terminated");
        inChunk = false;
        continue;
      }
      if (line.startsWith("----- Begin chunk -----")) {
        abandonChunk("chunk not terminated");
        // restart a chunk at this line
        inChunk = true;
        chunkBad = false;
        chunkStartRows = crystal.length;
        chunkStartCrystals = labels.length;
        wavelength = headerWavelength;
        chunks++;
        continue;
      }
      if (chunkBad) continue;
      const c: CrystalState | null = cr;
      if (c !== null && c.inReflections) {
        if (line.startsWith("End of reflections")) {
          c.inReflections = false;
          continue;
        }
        if (line.startsWith("   h    k    l")) continue;
        const f = line.trim().split(/\s+/);
        if (f.length < 5) {
          abandonChunk(`malformed reflection line "${line}"`);
          continue;
        }
        const h = Number(f[0]), k = Number(f[1]), l = Number(f[2]), inten = Number(f[3]), sig = Number(f[4]);
        if (!Number.isInteger(h) || !Number.isInteger(k) || !Number.isInteger(l) || !Number.isFinite(inten) || !Number.isFinite(sig) || f.length < 9) {
          abandonChunk(`malformed reflection line "${line}"`);
          continue;
        }
        const a = c.astar!, b = c.bstar!, cs = c.cstar!;
        const qx = h * a[0]! + k * b[0]! + l * cs[0]!;
        const qy = h * a[1]! + k * b[1]! + l * cs[1]!;
        const qz = h * a[2]! + k * b[2]! + l * cs[2]!;
        const kk = 10 / wavelength; // 1/λ in nm⁻¹
        crystal.push(labels.length - 1);
        H.push(h); K.push(k); L.push(l); I.push(inten); S.push(sig);
        D.push(Math.hypot(qx, qy, qz));
        // Ewald sphere centred at (0, 0, −1/λ), as CrystFEL's check_reflection
        X.push(Number.isFinite(kk) ? kk - Math.hypot(qx, qy, qz + kk) : Number.NaN);
        continue;
      }
      if (line.startsWith("photon_energy_eV = ")) {
        const e = Number(line.slice(19));
        if (e > 0) wavelength = HC_EV_A / e;
        if (Number.isNaN(firstWavelength)) firstWavelength = wavelength;
      } else if (line.startsWith("wavelength_A = ") || line.startsWith("wavelength = ")) {
        const w = Number(line.split("=")[1]!.trim().split(/\s+/)[0]);
        if (w > 0) wavelength = w;
      } else if (line.startsWith("Image filename: ")) filename = line.slice(16);
      else if (line.startsWith("Event: ")) event = line.slice(7);
      else if (line.startsWith("--- Begin crystal")) {
        cr = { astar: null, bstar: null, cstar: null, profileRadius: Number.NaN, resLimit: Number.NaN, inReflections: false };
      } else if (c !== null) {
        if (line.startsWith("astar = ")) c.astar = vec(line, path, lineNo);
        else if (line.startsWith("bstar = ")) c.bstar = vec(line, path, lineNo);
        else if (line.startsWith("cstar = ")) c.cstar = vec(line, path, lineNo);
        else if (line.startsWith("profile_radius = ")) c.profileRadius = Number(line.slice(17).split(/\s+/)[0]);
        else if (line.startsWith("diffraction_resolution_limit = ")) c.resLimit = Number(line.slice(31).split(/\s+/)[0]);
        else if (line.startsWith("Reflections measured after indexing")) {
          if (c.astar === null || c.bstar === null || c.cstar === null) {
            abandonChunk("crystal has no astar/bstar/cstar");
            continue;
          }
          if (labels.length >= maxCrystals) {
            cr = null;
            continue;
          }
          c.inReflections = true;
          profile.push(c.profileRadius);
          resLimit.push(c.resLimit);
          labels.push(`${filename} ${event}`.trim() + ` #${labels.length - chunkStartCrystals}`);
        } else if (line.startsWith("--- End crystal")) cr = null;
      }
    }
    if (inChunk && !chunkBad) {
      lineNo++;
      abandonChunk("file ends inside the chunk (truncated stream)");
    }
    opts.onProgress?.(bytes);
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
