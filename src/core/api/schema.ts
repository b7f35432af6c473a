/**
 * Tiny hand-written runtime schema checks for the host API contract (no eval, no codegen).
 * A schema is a function that returns null when the value conforms, or a message naming the path
 * of the first offending field.
 */
export type Check = (v: unknown, path: string) => string | null;

const typeName = (v: unknown): string => (v === null ? "null" : Array.isArray(v) ? "array" : ArrayBuffer.isView(v) ? v.constructor.name : typeof v);

export const str: Check = (v, p) => (typeof v === "string" ? null : `${p}: expected string, got ${typeName(v)}`);
export const bool: Check = (v, p) => (typeof v === "boolean" ? null : `${p}: expected boolean, got ${typeName(v)}`);
/** Any finite number (NaN/Infinity are refused: JSON cannot carry them). */
export const num: Check = (v, p) => (typeof v === "number" && Number.isFinite(v) ? null : `${p}: expected finite number, got ${typeName(v)}`);
/** A number that may be NaN/Infinity/null (numbers in data tables). */
export const numOrNull: Check = (v, p) => (typeof v === "number" || v === null ? null : `${p}: expected number or null, got ${typeName(v)}`);
export const int = (min = -Infinity, max = Infinity): Check => (v, p) =>
  typeof v === "number" && Number.isInteger(v) && v >= min && v <= max ? null : `${p}: expected integer in [${min}, ${max}], got ${typeof v === "number" ? v : typeName(v)}`;
export const literal = (...values: readonly (string | number | boolean | null)[]): Check => (v, p) =>
  values.includes(v as string) ? null : `${p}: expected one of ${values.map((x) => JSON.stringify(x)).join(", ")}, got ${JSON.stringify(v) ?? typeName(v)}`;
export const nullable = (c: Check): Check => (v, p) => (v === null ? null : c(v, p));
export const any: Check = () => null;

/** A typed array of one of the given constructor names (binary payloads). */
export const typed = (...names: readonly string[]): Check => (v, p) =>
  ArrayBuffer.isView(v) && names.includes(v.constructor.name) ? null : `${p}: expected ${names.join(" | ")}, got ${typeName(v)}`;

export const arr = (item: Check, maxLength = Infinity): Check => (v, p) => {
  if (!Array.isArray(v)) return `${p}: expected array, got ${typeName(v)}`;
  if (v.length > maxLength) return `${p}: array longer than ${maxLength}`;
  for (let i = 0; i < v.length; i++) {
    const e = item(v[i], `${p}[${i}]`);
    if (e) return e;
  }
  return null;
};

export const tuple = (...items: readonly Check[]): Check => (v, p) => {
  if (!Array.isArray(v)) return `${p}: expected array, got ${typeName(v)}`;
  if (v.length !== items.length) return `${p}: expected ${items.length} elements, got ${v.length}`;
  for (let i = 0; i < items.length; i++) {
    const e = items[i]!(v[i], `${p}[${i}]`);
    if (e) return e;
  }
  return null;
};

/** Object with required fields, optional fields (`?` suffix in the key) and no unknown fields. */
export const obj = (fields: Record<string, Check>): Check => {
  const req = Object.entries(fields).filter(([k]) => !k.endsWith("?"));
  const opt = new Map(Object.entries(fields).filter(([k]) => k.endsWith("?")).map(([k, c]) => [k.slice(0, -1), c] as const));
  const known = new Set([...req.map(([k]) => k), ...opt.keys()]);
  return (v, p) => {
    if (typeof v !== "object" || v === null || Array.isArray(v) || ArrayBuffer.isView(v)) return `${p}: expected object, got ${typeName(v)}`;
    const o = v as Record<string, unknown>;
    for (const [k, c] of req) {
      if (!(k in o)) return `${p}.${k}: missing`;
      const e = c(o[k], `${p}.${k}`);
      if (e) return e;
    }
    for (const [k, c] of opt) {
      if (o[k] === undefined) continue;
      const e = c(o[k], `${p}.${k}`);
      if (e) return e;
    }
    for (const k of Object.keys(o)) if (!known.has(k)) return `${p}.${k}: unknown field`;
    return null;
  };
};

/** Record with string keys and values of one schema. */
export const record = (value: Check): Check => (v, p) => {
  if (typeof v !== "object" || v === null || Array.isArray(v) || ArrayBuffer.isView(v)) return `${p}: expected object, got ${typeName(v)}`;
  for (const [k, x] of Object.entries(v)) {
    const e = value(x, `${p}.${k}`);
    if (e) return e;
  }
  return null;
};

/** First matching alternative; reports the error of the alternative selected by `discriminant` if given. */
export const union = (...alts: readonly Check[]): Check => (v, p) => {
  let first: string | null = null;
  for (const a of alts) {
    const e = a(v, p);
    if (!e) return null;
    first ??= e;
  }
  return first;
};

/** Discriminated union: picks the schema by the value of `field` (string/boolean tag), so errors name the right branch. */
export const variant = (field: string, branches: Record<string, Check>): Check => (v, p) => {
  if (typeof v !== "object" || v === null || Array.isArray(v)) return `${p}: expected object, got ${typeName(v)}`;
  const tag = (v as Record<string, unknown>)[field];
  const b = branches[String(tag)];
  if (!b) return `${p}.${field}: expected one of ${Object.keys(branches).join(", ")}, got ${JSON.stringify(tag) ?? "nothing"}`;
  return b(v, p);
};
