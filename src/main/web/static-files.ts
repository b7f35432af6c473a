/** Serves the built renderer (dist/renderer) read-only, without path traversal. */
import { readFileSync, statSync } from "node:fs";
import { extname, join, normalize, sep } from "node:path";

const types: Record<string, string> = {
  ".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8", ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8", ".json": "application/json", ".svg": "image/svg+xml", ".png": "image/png",
  ".wasm": "application/wasm", ".ico": "image/x-icon", ".woff2": "font/woff2", ".map": "application/json",
};

/** File under `root` for a URL path, or null when absent or outside root. */
export function staticFile(root: string, urlPath: string): { body: Buffer; type: string } | null {
  let rel: string;
  try { rel = decodeURIComponent(urlPath.split("?")[0]!); } catch { return null; }
  if (rel === "/" || rel === "") rel = "/index.html";
  const full = normalize(join(root, rel));
  if (full !== root && !full.startsWith(root.endsWith(sep) ? root : root + sep)) return null;
  try {
    if (!statSync(full).isFile()) return null;
    return { body: readFileSync(full), type: types[extname(full)] ?? "application/octet-stream" };
  } catch {
    return null;
  }
}
