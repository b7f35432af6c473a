/**
 * CrystFEL detector geometry file (.geom), as read by CrystFEL's datatemplate.c: `key = value`
 * lines, `;` comments, `panel/key = value` panel properties (global keys are defaults for every
 * panel), panels named bad… are bad regions. Lab frame: z along the beam, beam hits (0, 0); a panel
 * pixel (fs, ss) in CrystFEL's corner convention sits at `(corner + fs·fsVec + ss·ssVec) / res` m.
 */
import { lineError, parseNumber, splitLines } from "./text-lines.ts";

/** Lab-frame direction of +1 pixel along fs or ss, in pixel units. */
export interface GeomVector {
  readonly x: number;
  readonly y: number;
  readonly z: number;
}

/** A number given in the file, or an HDF5 path (per-event value) with an optional unit. */
export type GeomValue = { readonly kind: "value"; readonly value: number } | { readonly kind: "path"; readonly path: string; readonly unit: string | null };

export interface GeomPanel {
  readonly name: string;
  /** Inclusive pixel ranges in the data array. */
  readonly minFs: number;
  readonly maxFs: number;
  readonly minSs: number;
  readonly maxSs: number;
  /** Lab position of the corner of pixel (min_fs, min_ss), pixels. */
  readonly cornerXPx: number;
  readonly cornerYPx: number;
  readonly fs: GeomVector;
  readonly ss: GeomVector;
  /** Pixels per metre (panel or global `res`). */
  readonly resPxPerM: number | null;
  /** Camera length (panel or global `clen`), metres, or an HDF5 path. */
  readonly clen: GeomValue | null;
  /** Extra distance along z, metres. */
  readonly coffsetM: number;
  readonly aduPerPhoton: number | null;
  /** All effective keys of the panel (global defaults overridden by panel keys), verbatim. */
  readonly keys: ReadonlyMap<string, string>;
}

/** A parsed geometry file. */
export interface GeometryFile {
  /** Wavelength in Å (electron_voltage converted relativistically); null when it comes from an HDF5 path. */
  readonly wavelengthAngstrom: number | null;
  /** Which key gave the wavelength, with its value as written. */
  readonly wavelengthKey: "wavelength" | "photon_energy" | "electron_voltage" | null;
  readonly wavelengthValue: GeomValue | null;
  /** Global camera length, metres, or HDF5 path. */
  readonly clen: GeomValue | null;
  /** Global pixels per metre. */
  readonly resPxPerM: number | null;
  readonly aduPerPhoton: number | null;
  readonly data: string | null;
  /** dim0, dim1, ... values (`%`, `ss`, `fs` or a number). */
  readonly dims: readonly string[];
  readonly peakList: string | null;
  readonly peakListType: string | null;
  /** Per-event detector shift: HDF5 path or value, unit `mm` or `m`. */
  readonly detectorShiftX: GeomValue | null;
  readonly detectorShiftY: GeomValue | null;
  readonly panels: readonly GeomPanel[];
  /** Bad regions (panels whose name starts with "bad"), keys verbatim. */
  readonly badRegions: ReadonlyMap<string, ReadonlyMap<string, string>>;
  /** All global `key = value` entries, verbatim, in file order. */
  readonly globals: ReadonlyMap<string, string>;
}

/** hc in eV·Å (CODATA 2018, exact constants). */
export const HC_EV_ANGSTROM = 12398.41984332;

/** Relativistic electron wavelength in Å for an accelerating voltage in volts. */
export function electronWavelengthAngstrom(voltageV: number): number {
  const h = 6.62607015e-34, m0 = 9.1093837015e-31, e = 1.602176634e-19, c = 299792458;
  const p = Math.sqrt(2 * m0 * e * voltageV * (1 + (e * voltageV) / (2 * m0 * c * c)));
  return (h / p) * 1e10;
}

/** Parses `+0.9888x -0.0028y` (any of x, y, z; bare `x`, `-y` allowed). Null when malformed. */
export function parseGeomVector(s: string): GeomVector | null {
  const t = s.replace(/\s+/g, "");
  if (t === "") return null;
  const re = /([+-]?)(\d*\.?\d*(?:[eE][+-]?\d+)?)([xyz])/gy;
  const v = { x: 0, y: 0, z: 0 };
  let pos = 0;
  for (let m = re.exec(t); m; m = re.exec(t)) {
    const mag = m[2] === "" ? 1 : Number(m[2]);
    if (Number.isNaN(mag)) return null;
    v[m[3] as "x" | "y" | "z"] += (m[1] === "-" ? -1 : 1) * mag;
    pos = re.lastIndex;
    if (pos >= t.length) break;
  }
  return pos === t.length ? v : null;
}

const PANEL_REQUIRED = ["min_fs", "max_fs", "min_ss", "max_ss", "corner_x", "corner_y", "fs", "ss"] as const;

/** Parses a .geom file. Errors name the source, line number and problem. */
export function parseGeom(text: string, source = "geometry file"): GeometryFile {
  const globals = new Map<string, string>();
  const globalLine = new Map<string, number>();
  const panelKeys = new Map<string, Map<string, string>>();
  const panelLines = new Map<string, Map<string, number>>();
  const bad = new Map<string, Map<string, string>>();
  splitLines(text).forEach((raw, idx) => {
    const n = idx + 1;
    const line = raw.split(";")[0]!.trim();
    if (line === "") return;
    const eq = line.indexOf("=");
    if (eq < 0) throw lineError(source, n, `expected 'key = value', got '${line}'`);
    const key = line.slice(0, eq).trim();
    const value = line.slice(eq + 1).trim();
    if (key === "") throw lineError(source, n, "empty key before '='");
    if (value === "") throw lineError(source, n, `no value for '${key}'`);
    const slash = key.indexOf("/");
    if (slash < 0 || key.startsWith("rigid_group")) { globals.set(key, value); globalLine.set(key, n); return; }
    const name = key.slice(0, slash);
    const sub = key.slice(slash + 1);
    if (name === "" || sub === "") throw lineError(source, n, `malformed panel key '${key}' (expected panel/key)`);
    const target = name.startsWith("bad") ? bad : panelKeys;
    if (!target.has(name)) target.set(name, new Map());
    target.get(name)!.set(sub, value);
    if (!name.startsWith("bad")) {
      if (!panelLines.has(name)) panelLines.set(name, new Map());
      panelLines.get(name)!.set(sub, n);
    }
  });

  const num = (value: string, n: number, what: string): number => {
    const v = parseNumber(value.split(/\s+/)[0]!);
    if (v === null || !Number.isFinite(v)) throw lineError(source, n, `${what}: expected a number, got '${value}'`);
    return v;
  };
  const gnum = (key: string): number | null => {
    const v = globals.get(key);
    return v === undefined ? null : num(v, globalLine.get(key)!, key);
  };
  /** Number with optional unit, or HDF5 path with optional unit. */
  const valueWithUnit = (value: string, n: number, what: string, units: Record<string, number>, defaultUnit: string): { v: GeomValue; scaled: number | null } => {
    const [first, unit = defaultUnit, ...rest] = value.split(/\s+/);
    if (rest.length > 0) throw lineError(source, n, `${what}: unexpected text after the unit in '${value}'`);
    if (!(unit in units)) throw lineError(source, n, `${what}: unknown unit '${unit}' (expected ${Object.keys(units).join(" or ")})`);
    if (first!.startsWith("/")) return { v: { kind: "path", path: first!, unit: value.includes(" ") ? unit : null }, scaled: null };
    const x = num(first!, n, what);
    return { v: { kind: "value", value: x }, scaled: x * units[unit]! };
  };

  let wavelengthAngstrom: number | null = null;
  let wavelengthKey: GeometryFile["wavelengthKey"] = null;
  let wavelengthValue: GeomValue | null = null;
  if (globals.has("wavelength")) {
    const r = valueWithUnit(globals.get("wavelength")!, globalLine.get("wavelength")!, "wavelength", { A: 1, m: 1e10 }, "m");
    wavelengthKey = "wavelength"; wavelengthValue = r.v; wavelengthAngstrom = r.scaled;
  } else if (globals.has("electron_voltage")) {
    const r = valueWithUnit(globals.get("electron_voltage")!, globalLine.get("electron_voltage")!, "electron_voltage", { V: 1, kV: 1e3 }, "V");
    wavelengthKey = "electron_voltage"; wavelengthValue = r.v;
    wavelengthAngstrom = r.scaled === null ? null : electronWavelengthAngstrom(r.scaled);
  } else if (globals.has("photon_energy")) {
    const r = valueWithUnit(globals.get("photon_energy")!, globalLine.get("photon_energy")!, "photon_energy", { eV: 1, keV: 1e3 }, "eV");
    wavelengthKey = "photon_energy"; wavelengthValue = r.v;
    wavelengthAngstrom = r.scaled === null ? null : HC_EV_ANGSTROM / r.scaled;
  }
  if (wavelengthAngstrom !== null && !(wavelengthAngstrom > 0)) throw new Error(`${source}: wavelength must be positive`);

  const clenOf = (value: string | undefined, n: number): GeomValue | null => {
    if (value === undefined) return null;
    const r = valueWithUnit(value, n, "clen", { m: 1, mm: 1e-3 }, "m");
    return r.scaled === null ? r.v : { kind: "value", value: r.scaled };
  };
  const shiftOf = (key: string): GeomValue | null => {
    const value = globals.get(key);
    if (value === undefined) return null;
    const n = globalLine.get(key)!;
    const r = valueWithUnit(value, n, key, { mm: 1e-3, m: 1 }, "m");
    return r.v.kind === "path" ? { kind: "path", path: r.v.path, unit: value.split(/\s+/)[1] ?? "m" } : { kind: "value", value: r.scaled! };
  };

  const panels: GeomPanel[] = [];
  for (const [name, keys] of panelKeys) {
    const lines = panelLines.get(name)!;
    const eff = new Map<string, string>();
    for (const [k, v] of globals) if (!k.includes("/")) eff.set(k, v);
    for (const [k, v] of keys) eff.set(k, v);
    for (const req of PANEL_REQUIRED) if (!keys.has(req) && !globals.has(req)) throw new Error(`${source}: panel '${name}' has no '${req}'`);
    const lineOf = (k: string): number => lines.get(k) ?? globalLine.get(k) ?? 0;
    const pnum = (k: string): number => num(eff.get(k)!, lineOf(k), `${name}/${k}`);
    const pint = (k: string): number => {
      const v = pnum(k);
      if (!Number.isInteger(v) || v < 0) throw lineError(source, lineOf(k), `${name}/${k}: expected a non-negative integer, got '${eff.get(k)}'`);
      return v;
    };
    const pvec = (k: string): GeomVector => {
      const v = parseGeomVector(eff.get(k)!);
      if (!v) throw lineError(source, lineOf(k), `${name}/${k}: malformed direction '${eff.get(k)}' (expected e.g. '+0.9888x -0.0028y')`);
      return v;
    };
    const minFs = pint("min_fs"), maxFs = pint("max_fs"), minSs = pint("min_ss"), maxSs = pint("max_ss");
    if (maxFs < minFs) throw lineError(source, lineOf("max_fs"), `${name}: max_fs ${maxFs} < min_fs ${minFs}`);
    if (maxSs < minSs) throw lineError(source, lineOf("max_ss"), `${name}: max_ss ${maxSs} < min_ss ${minSs}`);
    panels.push({
      name, minFs, maxFs, minSs, maxSs,
      cornerXPx: pnum("corner_x"), cornerYPx: pnum("corner_y"), fs: pvec("fs"), ss: pvec("ss"),
      resPxPerM: eff.has("res") ? pnum("res") : null,
      clen: clenOf(eff.get("clen"), lineOf("clen")),
      coffsetM: eff.has("coffset") ? pnum("coffset") : 0,
      aduPerPhoton: eff.has("adu_per_photon") ? pnum("adu_per_photon") : null,
      keys: eff,
    });
  }
  if (panels.length === 0) throw new Error(`${source}: no panels defined (expected keys like 'p0/min_fs = 0')`);
  const dims: string[] = [];
  for (let d = 0; globals.has(`dim${d}`); d++) dims.push(globals.get(`dim${d}`)!);

  return {
    wavelengthAngstrom, wavelengthKey, wavelengthValue,
    clen: clenOf(globals.get("clen"), globalLine.get("clen") ?? 0),
    resPxPerM: gnum("res"), aduPerPhoton: gnum("adu_per_photon"),
    data: globals.get("data") ?? null, dims,
    peakList: globals.get("peak_list") ?? null, peakListType: globals.get("peak_list_type") ?? null,
    detectorShiftX: shiftOf("detector_shift_x"), detectorShiftY: shiftOf("detector_shift_y"),
    panels, badRegions: bad, globals,
  };
}

/**
 * Beam position on a panel: the (fs, ss) pixel coordinate, CrystFEL corner convention, that maps
 * to the lab origin (solves corner + fs·fsVec + ss·ssVec = 0 in x, y).
 */
export function beamPositionPx(p: GeomPanel): { fs: number; ss: number } {
  const det = p.fs.x * p.ss.y - p.ss.x * p.fs.y;
  if (Math.abs(det) < 1e-12) throw new Error(`panel '${p.name}': fs and ss directions are parallel`);
  const fs = (-p.cornerXPx * p.ss.y + p.cornerYPx * p.ss.x) / det;
  const ss = (-p.fs.x * p.cornerYPx + p.fs.y * p.cornerXPx) / det;
  return { fs: fs + p.minFs, ss: ss + p.minSs };
}

/** `+1.000000x +0.000000y` (z term only when non-zero). */
export function formatGeomVector(v: GeomVector): string {
  const t = (x: number, axis: string): string => `${x < 0 || Object.is(x, -0) ? "-" : "+"}${Math.abs(x).toFixed(6)}${axis}`;
  return `${t(v.x, "x")} ${t(v.y, "y")}${v.z !== 0 ? ` ${t(v.z, "z")}` : ""}`;
}

const PANEL_NUMERIC = new Set(["min_fs", "max_fs", "min_ss", "max_ss", "corner_x", "corner_y", "fs", "ss"]);

/**
 * Writes a geometry file: the global entries verbatim (in order), then each panel's ranges,
 * corner and fs/ss vectors from its numeric fields (so edited panels are written as edited)
 * and its other keys where they differ from the global value. `comments` go first as `; …`.
 */
export function formatGeom(g: Pick<GeometryFile, "globals" | "panels" | "badRegions">, comments: readonly string[] = []): string {
  const out = comments.map((c) => `; ${c}`);
  if (out.length > 0) out.push("");
  for (const [k, v] of g.globals) out.push(`${k} = ${v}`);
  for (const p of g.panels) {
    out.push("");
    out.push(`${p.name}/min_fs = ${p.minFs}`, `${p.name}/max_fs = ${p.maxFs}`, `${p.name}/min_ss = ${p.minSs}`, `${p.name}/max_ss = ${p.maxSs}`);
    out.push(`${p.name}/corner_x = ${p.cornerXPx}`, `${p.name}/corner_y = ${p.cornerYPx}`);
    out.push(`${p.name}/fs = ${formatGeomVector(p.fs)}`, `${p.name}/ss = ${formatGeomVector(p.ss)}`);
    for (const [k, v] of p.keys) if (!PANEL_NUMERIC.has(k) && g.globals.get(k) !== v) out.push(`${p.name}/${k} = ${v}`);
  }
  for (const [name, keys] of g.badRegions) {
    out.push("");
    for (const [k, v] of keys) out.push(`${name}/${k} = ${v}`);
  }
  return out.join("\n") + "\n";
}

/** One pixel mask of a panel: pixel usable iff (m & goodBits) == goodBits and (m & badBits) == 0. */
export interface GeomMask {
  /** Dataset path inside the mask file (or the image file when `file` is null). */
  readonly data: string;
  readonly file: string | null;
  readonly goodBits: number;
  readonly badBits: number;
}

/**
 * The masks of a panel, from the old keys (`mask`, `mask_file`, `mask_good`, `mask_bad`) and the
 * CrystFEL ≥ 0.10 keys (`mask0_data`, `mask0_file`, `mask0_goodbits`, `mask0_badbits`, …, mask7).
 */
export function panelMasks(p: GeomPanel, source = "geometry file"): GeomMask[] {
  const bits = (key: string): number => {
    const v = p.keys.get(key);
    if (v === undefined) return 0;
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0) throw new Error(`${source}: panel '${p.name}': ${key} must be a non-negative integer (e.g. 0x01), got '${v}'`);
    return n;
  };
  const out: GeomMask[] = [];
  const old = p.keys.get("mask");
  if (old !== undefined) out.push({ data: old, file: p.keys.get("mask_file") ?? null, goodBits: bits("mask_good"), badBits: bits("mask_bad") });
  for (let i = 0; i < 8; i++) {
    const d = p.keys.get(`mask${i}_data`);
    if (d !== undefined) out.push({ data: d, file: p.keys.get(`mask${i}_file`) ?? null, goodBits: bits(`mask${i}_goodbits`), badBits: bits(`mask${i}_badbits`) });
  }
  return out;
}
