/**
 * The renderer's HostApi, built from the contract's method list over a transport: the Electron
 * preload bridge when present, else the browser-mode WebSocket. Responses and events are validated.
 */
import { eventNames, methodNames, parseHostMessage, validateEvent, validateResult, type EventName, type HostApi, type HostEvents, type MethodName } from "../../core/api/host-api.ts";
import { decodeMessage, encodeMessage } from "../../core/api/wire.ts";

export interface Transport {
  call(method: MethodName, params: unknown): Promise<unknown>;
  onEvent(cb: (event: EventName, payload: unknown) => void): void;
}

export type HostClient = HostApi & { on<E extends EventName>(event: E, cb: (p: HostEvents[E]) => void): () => void };

/** What src/main/electron/preload.ts exposes as `window.serialedBridge`. */
export interface ElectronBridge {
  invoke(method: string, params: unknown): Promise<unknown>;
  onEvent(cb: (event: string, payload: unknown) => void): void;
}

export function createHostClient(t: Transport): HostClient {
  const listeners = new Map<EventName, Set<(p: unknown) => void>>(eventNames.map((e) => [e, new Set()]));
  t.onEvent((event, payload) => {
    for (const l of listeners.get(event) ?? []) l(validateEvent(event, payload));
  });
  const api: Record<string, unknown> = {
    on(event: EventName, cb: (p: unknown) => void) { listeners.get(event)!.add(cb); return () => listeners.get(event)!.delete(cb); },
  };
  for (const m of methodNames) api[m] = async (params: unknown) => validateResult(m, await t.call(m, params ?? {}));
  return api as unknown as HostClient;
}

/** Browser mode: one WebSocket to /api carrying the page's token. */
export function webSocketTransport(url: string): Transport {
  const ws = new WebSocket(url);
  ws.binaryType = "arraybuffer";
  const pending = new Map<number, { res: (v: unknown) => void; rej: (e: Error) => void }>();
  let nextId = 1;
  let eventCb: (event: EventName, payload: unknown) => void = () => {};
  const open = new Promise<void>((res, rej) => {
    ws.addEventListener("open", () => res());
    ws.addEventListener("error", () => rej(new Error(`cannot connect to the host at ${url.replace(/token=[^&]+/, "token=…")}`)));
  });
  ws.addEventListener("close", () => { for (const p of pending.values()) p.rej(new Error("connection to the host closed")); pending.clear(); });
  ws.addEventListener("message", (ev: MessageEvent) => {
    const msg = parseHostMessage(decodeMessage(ev.data as string | ArrayBuffer));
    if (msg.type === "event") { eventCb(msg.event, msg.payload); return; }
    const p = pending.get(msg.id);
    if (!p) return;
    pending.delete(msg.id);
    if (msg.ok) p.res(msg.result); else p.rej(new Error(msg.error));
  });
  return {
    async call(method, params) {
      await open;
      const id = nextId++;
      return new Promise((res, rej) => {
        pending.set(id, { res, rej });
        ws.send(encodeMessage({ type: "request", id, method, params }));
      });
    },
    onEvent(cb) { eventCb = cb; },
  };
}

export function electronTransport(b: ElectronBridge): Transport {
  return {
    call: (method, params) => b.invoke(method, params),
    onEvent: (cb) => b.onEvent((e, p) => { if ((eventNames as string[]).includes(e)) cb(e as EventName, p); }),
  };
}

/** Picks the transport for this window. */
export function connectHost(): HostClient {
  const w = window as unknown as { serialedBridge?: ElectronBridge };
  if (w.serialedBridge) return createHostClient(electronTransport(w.serialedBridge));
  const token = new URLSearchParams(window.location.search).get("token") ?? "";
  return createHostClient(webSocketTransport(`ws://${window.location.host}/api?token=${encodeURIComponent(token)}`));
}
