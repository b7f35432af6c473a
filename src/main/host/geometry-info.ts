/**
 * Reads the few geometry numbers the viewer needs (λ, clen, pixel size, beam position) from a
 * CrystFEL .geom text. Single-panel detectors with fs = +x, ss = +y are assumed for the beam centre.
 */
import type { GeometryInfo } from "../../core/api/host-api.ts";

/** Defaults of the project's electron setup (200 kV, 1.58 m, 55 µm Lambda pixels). */
export const defaultGeometry: GeometryInfo = { wavelengthAngstrom: 0.0251, cameraLengthM: 1.58, pixelSizeM: 55e-6, beamCentreCxi: null, source: "defaults" };

/** Relativistic electron wavelength, Å, for an accelerating voltage in V. */
export function electronWavelengthAngstrom(volts: number): number {
  const h = 6.62607015e-34, m = 9.1093837015e-31, e = 1.602176634e-19, c = 299792458;
  return (h / Math.sqrt(2 * m * e * volts * (1 + (e * volts) / (2 * m * c * c)))) * 1e10;
}

export function geometryFromGeom(text: string, source: string): GeometryInfo {
  const kv = new Map<string, string>();
  for (const raw of text.split("\n")) {
    const line = raw.replace(/;.*$/, "").trim();
    const m = /^([^=]+?)\s*=\s*(.+)$/.exec(line);
    if (m) kv.set(m[1]!.trim(), m[2]!.trim());
  }
  const g = { ...defaultGeometry, source };
  const num = (s: string | undefined): number | null => { const v = s === undefined ? NaN : Number.parseFloat(s); return Number.isFinite(v) ? v : null; };
  const wl = kv.get("wavelength");
  const ev = kv.get("electron_voltage");
  const pe = kv.get("photon_energy");
  if (wl && num(wl) !== null) g.wavelengthAngstrom = /\bm\b/.test(wl) && !/\bA\b/.test(wl) ? num(wl)! * 1e10 : num(wl)!;
  else if (ev && num(ev) !== null) g.wavelengthAngstrom = electronWavelengthAngstrom(num(ev)! * (/kV/.test(ev) ? 1000 : 1));
  else if (pe && num(pe) !== null) g.wavelengthAngstrom = 12398.42 / (num(pe)! * (/keV/.test(pe) ? 1000 : 1));
  const clen = num([...kv].find(([k]) => k === "clen" || k.endsWith("/clen"))?.[1]);
  if (clen !== null) g.cameraLengthM = clen;
  const res = num([...kv].find(([k]) => k === "res" || k.endsWith("/res"))?.[1]);
  if (res !== null && res > 0) g.pixelSizeM = 1 / res;
  const cx = num([...kv].find(([k]) => k.endsWith("corner_x"))?.[1]);
  const cy = num([...kv].find(([k]) => k.endsWith("corner_y"))?.[1]);
  // CrystFEL corner convention: the beam (lab origin) sits at fs = -corner_x; CXI = CrystFEL - 0.5.
  if (cx !== null && cy !== null) g.beamCentreCxi = [-cx - 0.5, -cy - 0.5];
  return g;
}
