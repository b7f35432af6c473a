/**
 * Deterministic content hash of JSON-like values: key order does not matter, numbers/strings/
 * booleans/arrays/objects are distinguished. 64-bit FNV-1a over a canonical string, hex output.
 * Not cryptographic: used to detect changed options (out-of-date steps).
 */
export function canonicalJson(v: unknown): string {
  if (v === null || v === undefined) return "null";
  if (typeof v === "number") return Number.isFinite(v) ? String(v) : JSON.stringify(String(v));
  if (typeof v === "string" || typeof v === "boolean") return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(",")}]`;
  if (typeof v === "object") {
    const o = v as Record<string, unknown>;
    const keys = Object.keys(o).filter((k) => o[k] !== undefined).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`).join(",")}}`;
  }
  return JSON.stringify(String(v));
}

/** 16 hex digits: FNV-1a 64 of the UTF-16 code units of `canonicalJson(v)`. */
export function stableHash(v: unknown): string {
  const s = canonicalJson(v);
  // 64-bit FNV-1a with BigInt would be slow; two 32-bit lanes with different offsets instead.
  let h1 = 0x811c9dc5, h2 = 0xcbf29ce4;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 0x01000193) >>> 0;
    h2 = Math.imul(h2 ^ c ^ (h1 >>> 7), 0x01000193) >>> 0;
  }
  return h1.toString(16).padStart(8, "0") + h2.toString(16).padStart(8, "0");
}
