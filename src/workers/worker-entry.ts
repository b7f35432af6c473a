/**
 * Worker thread body: runs kernels on request. Messages: {id, name, args} → {id, ok, result} or
 * {id, ok: false, error}. Typed arrays in results are transferred (not copied).
 */
import { parentPort } from "node:worker_threads";
import { kernels } from "./kernels.ts";

interface Request { readonly id: number; readonly name: string; readonly args: unknown[] }

function collectBuffers(v: unknown, out: Set<ArrayBuffer>, depth = 0): void {
  if (depth > 4 || v === null || typeof v !== "object") return;
  if (ArrayBuffer.isView(v)) {
    if (v.buffer instanceof ArrayBuffer && v.buffer.byteLength > 0) out.add(v.buffer);
    return;
  }
  for (const x of Object.values(v as Record<string, unknown>)) collectBuffers(x, out, depth + 1);
}

const port = parentPort;
if (!port) throw new Error("worker-entry.ts must run in a worker thread");
port.on("message", (req: Request) => {
  const fn = (kernels as Record<string, (...a: unknown[]) => unknown>)[req.name];
  try {
    if (!fn) throw new Error(`unknown kernel '${req.name}'`);
    const result = fn(...req.args);
    const bufs = new Set<ArrayBuffer>();
    collectBuffers(result, bufs);
    port.postMessage({ id: req.id, ok: true, result }, [...bufs]);
  } catch (e) {
    port.postMessage({ id: req.id, ok: false, error: e instanceof Error ? e.message : String(e) });
  }
});
