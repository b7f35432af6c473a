/**
 * Preload (sandboxed, contextIsolation): exposes only the contract's invoke/event bridge as
 * `window.serialedBridge` (see src/renderer/api/host-client.ts ElectronBridge). No Node APIs leak.
 */
import { contextBridge, ipcRenderer } from "electron";

// Channel names duplicated from ipc-bridge.ts: a sandboxed preload cannot import local modules.
contextBridge.exposeInMainWorld("serialedBridge", {
  invoke: (method: string, params: unknown): Promise<unknown> => ipcRenderer.invoke("serialed:invoke", method, params),
  onEvent: (cb: (event: string, payload: unknown) => void): void => {
    ipcRenderer.on("serialed:event", (_e, event: string, payload: unknown) => cb(event, payload));
  },
});
