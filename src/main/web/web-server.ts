/**
 * Browser mode: the host service over HTTP (built renderer) + WebSocket (API) on 127.0.0.1 only.
 * A random per-launch token must come with every request (URL `?token=`, or the SameSite cookie the
 * page receives with index.html); requests from other origins (Origin / Host header) are refused.
 */
import { randomBytes, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import { WebSocketServer, type WebSocket } from "ws";
import { parseRequest, validateResult, type MethodName } from "../../core/api/host-api.ts";
import { decodeMessage, encodeMessage } from "../../core/api/wire.ts";
import type { HostService } from "../host/host-service.ts";
import { staticFile } from "./static-files.ts";

export interface WebServerOptions {
  readonly service: HostService;
  /** Folder with the built renderer (index.html + assets). */
  readonly staticDir: string;
  /** 0 = pick a free port. */
  readonly port?: number;
  /** Fixed token (tests); default 32 random hex bytes. */
  readonly token?: string;
}

export interface WebServer {
  readonly url: string;
  readonly port: number;
  readonly token: string;
  close(): Promise<void>;
}

const COOKIE = "serialed_token";

function same(a: string, b: string): boolean {
  const x = Buffer.from(a), y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export async function startWebServer(opts: WebServerOptions): Promise<WebServer> {
  const token = opts.token ?? randomBytes(24).toString("hex");
  let port = 0;
  const allowedHosts = (): string[] => [`127.0.0.1:${port}`, `localhost:${port}`];
  const tokenOf = (req: IncomingMessage): string | null => {
    const u = new URL(req.url ?? "/", "http://x");
    const q = u.searchParams.get("token");
    if (q) return q;
    const c = /(?:^|;\s*)serialed_token=([0-9a-zA-Z]+)/.exec(req.headers.cookie ?? "");
    return c?.[1] ?? null;
  };
  /** null = allowed, else the reason for refusal. */
  const refuse = (req: IncomingMessage): string | null => {
    const host = req.headers.host ?? "";
    if (!allowedHosts().includes(host)) return `host '${host}' not allowed`;
    const origin = req.headers.origin;
    if (origin !== undefined && !allowedHosts().map((h) => `http://${h}`).includes(origin)) return `origin '${origin}' not allowed`;
    const t = tokenOf(req);
    if (!t || !same(t, token)) return "missing or wrong token";
    return null;
  };

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const why = refuse(req);
    if (why) { res.writeHead(403, { "content-type": "text/plain" }).end(`403 forbidden: ${why}\n`); return; }
    if (req.method !== "GET" && req.method !== "HEAD") { res.writeHead(405).end(); return; }
    const f = staticFile(opts.staticDir, new URL(req.url ?? "/", "http://x").pathname);
    if (!f) { res.writeHead(404, { "content-type": "text/plain" }).end("404 not found\n"); return; }
    res.writeHead(200, {
      "content-type": f.type,
      "cache-control": "no-store",
      "x-content-type-options": "nosniff",
      "content-security-policy": "default-src 'self'; connect-src 'self' ws://127.0.0.1:* ws://localhost:*; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; worker-src 'self' blob:",
      "set-cookie": `${COOKIE}=${token}; Path=/; HttpOnly; SameSite=Strict`,
    });
    res.end(req.method === "HEAD" ? undefined : f.body);
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: 64 << 20 });
  const clients = new Set<WebSocket>();
  server.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const why = refuse(req) ?? (new URL(req.url ?? "/", "http://x").pathname === "/api" ? null : "unknown endpoint");
    if (why) {
      socket.end(`HTTP/1.1 403 Forbidden\r\ncontent-type: text/plain\r\nconnection: close\r\n\r\n403 forbidden: ${why}\n`);
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      clients.add(ws);
      ws.on("close", () => clients.delete(ws));
      ws.on("message", (data, isBinary) => void handle(ws, isBinary ? (data as Buffer) : data.toString()));
    });
  });

  const send = (ws: WebSocket, msg: unknown): void => {
    if (ws.readyState !== ws.OPEN) return;
    ws.send(encodeMessage(msg));
  };
  const handle = async (ws: WebSocket, data: string | Buffer): Promise<void> => {
    let id = -1;
    try {
      const raw = decodeMessage(typeof data === "string" ? data : new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
      if (typeof raw === "object" && raw !== null && typeof (raw as { id?: unknown }).id === "number") id = (raw as { id: number }).id;
      const req = parseRequest(raw);
      const fn = opts.service[req.method] as (p: unknown) => Promise<unknown>;
      const result = await fn.call(opts.service, req.params);
      validateResult(req.method as MethodName, result ?? null);
      send(ws, { type: "response", id: req.id, ok: true, result: result ?? null });
    } catch (e) {
      send(ws, { type: "response", id: Math.max(id, 0), ok: false, error: e instanceof Error ? e.message : String(e) });
    }
  };
  const unsubscribe = opts.service.onEvent((event, payload) => { for (const ws of clients) send(ws, { type: "event", event, payload }); });

  await new Promise<void>((res, rej) => {
    server.once("error", rej);
    server.listen(opts.port ?? 0, "127.0.0.1", () => res());
  });
  const addr = server.address();
  port = typeof addr === "object" && addr ? addr.port : 0;
  return {
    url: `http://127.0.0.1:${port}/?token=${token}`,
    port,
    token,
    close: () => new Promise<void>((res) => {
      unsubscribe();
      for (const ws of clients) ws.terminate();
      wss.close();
      server.close(() => res());
      server.closeAllConnections();
    }),
  };
}
