/**
 * The one place that initialises h5wasm (Node build, NODERAWFS: host paths are read lazily).
 * Turns on the throwing error handler (otherwise a missing filter silently returns stale heap data)
 * and installs the bundled filter plugins (LZ4 32004, bitshuffle 32008, ...).
 * h5wasm errors carry the whole HDF5-DIAG stack and sometimes megabytes of minified source:
 * `h5Error()` shortens them to the useful `minor:` lines.
 */
import h5wasm from "h5wasm/node";
import { install_local_plugins } from "h5wasm-plugins";

export type H5 = typeof h5wasm;
export type { File as H5File, Group as H5Group, Dataset as H5Dataset } from "h5wasm";

let ready: Promise<H5> | undefined;

/** Resolves to the initialised h5wasm namespace (File, Group, Dataset, ...). Safe to call often. */
export function getH5(): Promise<H5> {
  ready ??= (async () => {
    const Module = await h5wasm.ready;
    Module.activate_throwing_error_handler();
    install_local_plugins(Module);
    return h5wasm;
  })();
  return ready;
}

/** Extracts a short description (at most ~300 chars) from an h5wasm / HDF5-DIAG error. */
export function shortH5Message(e: unknown): string {
  const raw = e instanceof Error ? e.message : typeof e === "string" ? e : String(e);
  const lines = raw.split("\n").map((l) => l.trim()).filter((l) => l.length > 0 && l.length < 400);
  const useful: string[] = [];
  for (const l of lines) {
    const m = /^minor:\s*(.*)$/.exec(l);
    if (m?.[1]) useful.push(m[1]);
    const f = /required filter '[^']*' is not registered/.exec(l);
    if (f) useful.push(f[0]);
  }
  const uniq = [...new Set(useful)];
  let msg = uniq.length > 0 ? uniq.join("; ") : (lines[0] ?? "unknown HDF5 error");
  if (msg.length > 300) msg = `${msg.slice(0, 297)}...`;
  return msg;
}

/** An Error naming the file (and HDF5 path) with a shortened h5wasm message as cause text. */
export function h5Error(file: string, h5path: string | undefined, what: string, cause?: unknown): Error {
  const where = h5path ? `${file}:${h5path}` : file;
  const detail = cause === undefined ? "" : ` (HDF5: ${shortH5Message(cause)})`;
  return new Error(`${where}: ${what}${detail}`);
}

/** True if an h5wasm entity is a dataset (soft links are already resolved by `get`). */
export function isH5Dataset(obj: unknown): obj is import("h5wasm").Dataset {
  return obj instanceof h5wasm.Dataset;
}

/** True if an h5wasm entity is a group. */
export function isH5Group(obj: unknown): obj is import("h5wasm").Group {
  return obj instanceof h5wasm.Group;
}
