/**
 * Electron main process: one BrowserWindow (contextIsolation, sandbox, no nodeIntegration) loading
 * the built renderer, the host service over IPC, file-open dialogs and the app menu. Paths given on
 * the command line are opened at start. Cannot run on the dev machine (no Electron binary): the
 * logic lives in src/main/host and is tested in Node; this file only wires it up.
 */
import { app, BrowserWindow, dialog, Menu, shell } from "electron";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { createHostService } from "../host/host-service.ts";
import { preloadFileName, secureWebPreferences } from "./window-options.ts";
import { buildAppMenu } from "./app-menu.ts";
import { installIpcBridge } from "./ipc-bridge.ts";

// Bundled layout (npm run build:electron): dist/electron/main.js next to dist/renderer.
const rendererDir = [join(import.meta.dirname, "..", "renderer"), join(import.meta.dirname, "..", "..", "..", "dist", "renderer")]
  .find((d) => existsSync(join(d, "index.html"))) ?? join(import.meta.dirname, "..", "renderer");

const fileFilters = [
  { name: "Datasets", extensions: ["h5", "nxs", "lst", "stream", "geom"] },
  { name: "All files", extensions: ["*"] },
];

async function createWindow(): Promise<void> {
  let win: BrowserWindow | null = null;
  const service = createHostService({
    mode: "electron",
    version: app.getVersion(),
    pickPaths: async () => {
      const r = await dialog.showOpenDialog(win ?? undefined!, { properties: ["openFile", "multiSelections"], filters: fileFilters });
      return r.canceled ? null : r.filePaths;
    },
  });
  const paths = process.argv.slice(app.isPackaged ? 1 : 2).filter((a) => !a.startsWith("-"));
  if (paths.length > 0) {
    service.allow(paths);
    await service.openDataset({ paths });
  }
  win = new BrowserWindow({
    width: 1500, height: 1000, backgroundColor: "#0e1116", title: "serialed studio",
    webPreferences: { preload: join(import.meta.dirname, preloadFileName), ...secureWebPreferences },
  });
  installIpcBridge(service, () => win?.webContents ?? null);
  Menu.setApplicationMenu(buildAppMenu(() => void service.pickAndOpen({}).catch((e: unknown) => dialog.showErrorBox("Cannot open", String(e)))));
  // Links open in the system browser, never in the app window.
  win.webContents.setWindowOpenHandler(({ url }) => { void shell.openExternal(url); return { action: "deny" }; });
  win.webContents.on("will-navigate", (e) => e.preventDefault());
  win.on("closed", () => { service.dispose(); win = null; });
  await win.loadFile(join(rendererDir, "index.html"));
}

void app.whenReady().then(createWindow);
app.on("window-all-closed", () => app.quit());
