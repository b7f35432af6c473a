/** Starts browser mode: builds the renderer if needed, opens the given paths, serves on 127.0.0.1. */
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { execa } from "execa";
import { createHostService, type HostService } from "../host/host-service.ts";
import { startWebServer, type WebServer } from "./web-server.ts";

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
export const rendererDir = join(repoRoot, "dist", "renderer");

/** Builds dist/renderer with vite unless it exists (or `force`). */
export async function ensureRendererBuilt(force = false, log: (s: string) => void = () => {}): Promise<void> {
  if (!force && existsSync(join(rendererDir, "index.html"))) return;
  log("building the viewer (vite build) …");
  const r = await execa(process.execPath, [join(repoRoot, "node_modules", "vite", "bin", "vite.js"), "build", "--config", "vite.config.ts", "--logLevel", "warn"], { cwd: repoRoot, reject: false });
  if (r.exitCode !== 0) throw new Error(`vite build failed:\n${String(r.stderr).slice(-2000)}`);
}

export interface ServeHandle { readonly server: WebServer; readonly service: HostService; close(): Promise<void> }

export async function serveDatasets(paths: readonly string[], opts: { port?: number; token?: string; log?: (s: string) => void } = {}): Promise<ServeHandle> {
  await ensureRendererBuilt(false, opts.log);
  const service = createHostService({ mode: "web" });
  if (paths.length > 0) {
    service.allow(paths);
    await service.openDataset({ paths: [...paths] });
  }
  const server = await startWebServer({ service, staticDir: rendererDir, ...(opts.port !== undefined ? { port: opts.port } : {}), ...(opts.token ? { token: opts.token } : {}) });
  return { server, service, close: async () => { await server.close(); service.dispose(); } };
}
