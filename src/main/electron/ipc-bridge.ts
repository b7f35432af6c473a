/**
 * Serves the host service over Electron IPC: one `serialed:invoke` channel validated against the
 * contract (same checks as the web host), events pushed on `serialed:event`. Thin by design: the
 * service itself is tested in Node.
 */
import { ipcMain, type WebContents } from "electron";
import { parseRequest, validateResult, type MethodName } from "../../core/api/host-api.ts";
import type { HostService } from "../host/host-service.ts";

export const INVOKE_CHANNEL = "serialed:invoke";
export const EVENT_CHANNEL = "serialed:event";

export function installIpcBridge(service: HostService, target: () => WebContents | null): () => void {
  ipcMain.handle(INVOKE_CHANNEL, async (_e, method: unknown, params: unknown) => {
    const req = parseRequest({ type: "request", id: 0, method, params });
    const fn = service[req.method] as (p: unknown) => Promise<unknown>;
    const result = (await fn.call(service, req.params)) ?? null;
    validateResult(req.method as MethodName, result);
    return result;
  });
  const off = service.onEvent((event, payload) => target()?.send(EVENT_CHANNEL, event, payload));
  return () => { ipcMain.removeHandler(INVOKE_CHANNEL); off(); };
}
