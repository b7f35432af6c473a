/** `serialed demo` (what `npm start` runs): simulate a small dataset if ./demo-data has none, then serve it. */
import { execFileSync, spawn } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { getNumber, getString, parseArgs } from "../args.ts";
import { repoRoot, serveDatasets } from "../../web/serve-app.ts";

export const summary = "Simulate a small demo dataset (once) and open it in the viewer";
export const usage = `Usage: serialed demo [--dir DIR] [--port N] [--no-open]

If DIR (default ./demo-data) holds no dataset, runs \`serialed simulate --out DIR\` (40 crystals × 5
frames), then serves DIR/*.lst with its truth/geometry.geom in browser mode and prints the URL.
A browser is opened when one is available (xdg-open with a display); the Electron app cannot run here.

Options:
  --dir DIR     dataset folder (default ./demo-data)
  --port N      port (default: a free port)
  --no-open     only print the URL
`;

function findDataset(dir: string): string | null {
  if (!existsSync(dir)) return null;
  const lst = readdirSync(dir).filter((f) => f.endsWith(".lst")).sort()[0];
  return lst ? join(dir, lst) : null;
}

export async function run(args: string[]): Promise<number> {
  const p = parseArgs(args, { dir: { value: true }, port: { value: true }, "no-open": { value: false } });
  const dir = resolve(getString(p, "dir") ?? "demo-data");
  let lst = findDataset(dir);
  if (!lst) {
    console.error(`no dataset in ${dir}: simulating one (serialed simulate) …`);
    execFileSync(process.execPath, [join(repoRoot, "bin", "serialed.mjs"), "simulate", "--out", dir], { stdio: "inherit" });
    lst = findDataset(dir);
    if (!lst) throw new Error(`serialed simulate wrote no .lst into ${dir}`);
  }
  const geom = join(dir, "truth", "geometry.geom");
  const h = await serveDatasets([lst, ...(existsSync(geom) ? [geom] : [])], { port: getNumber(p, "port", 0, { integer: true, min: 0 }), log: (s) => console.error(s) });
  console.log(`serialed viewer: ${h.server.url}`);
  if (!p.flags.has("no-open") && (process.env["DISPLAY"] || process.env["WAYLAND_DISPLAY"] || process.platform === "darwin")) {
    const opener = process.platform === "darwin" ? "open" : "xdg-open";
    spawn(opener, [h.server.url], { stdio: "ignore", detached: true }).on("error", () => console.error(`(could not start ${opener}: open the URL yourself)`)).unref();
  } else console.log("Open this URL in a browser. Press Ctrl-C to stop.");
  await new Promise<void>((res) => { process.once("SIGINT", res); process.once("SIGTERM", res); });
  await h.close();
  return 0;
}
