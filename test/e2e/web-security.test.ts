/**
 * Browser-mode host security: 127.0.0.1 only, per-launch token required for HTTP and WebSocket,
 * foreign origins refused, file access limited to what was opened; binary frames over the socket.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { WebSocket } from "ws";
import { decodeMessage, encodeMessage } from "../../src/core/api/wire.ts";
import { startServe, type Served } from "./e2e-helpers.ts";

const fixtures = "/work/shared/fixtures/crystfel";

function wsResult(url: string, headers: Record<string, string> = {}): Promise<{ ok: true; ws: WebSocket } | { ok: false; status: number }> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, { headers });
    ws.once("open", () => resolve({ ok: true, ws }));
    ws.once("unexpected-response", (_req, res) => resolve({ ok: false, status: res.statusCode ?? 0 }));
    ws.once("error", () => resolve({ ok: false, status: -1 }));
  });
}

function call(ws: WebSocket, id: number, method: string, params: unknown): Promise<{ ok: boolean; result?: unknown; error?: string; binary: boolean }> {
  return new Promise((resolve) => {
    ws.on("message", function onMsg(data: Buffer, isBinary: boolean) {
      const m = decodeMessage(isBinary ? new Uint8Array(data) : data.toString()) as { id: number; ok: boolean; result?: unknown; error?: string };
      if (m.id !== id) return;
      ws.off("message", onMsg);
      resolve({ ...m, binary: isBinary });
    });
    ws.send(encodeMessage({ type: "request", id, method, params }));
  });
}

describe("serialed serve security", () => {
  let s: Served;
  before(async () => { s = await startServe([`${fixtures}/sim_ed.h5`]); });
  after(async () => { await s?.stop(); });

  it("binds 127.0.0.1 and serves the viewer with the token", async () => {
    assert.match(s.url, /^http:\/\/127\.0\.0\.1:\d+\/\?token=[0-9a-f]{48}$/);
    const r = await fetch(s.url);
    assert.equal(r.status, 200);
    assert.match(await r.text(), /<div id="root">/);
  });

  it("refuses HTTP requests without or with a wrong token", async () => {
    assert.equal((await fetch(`http://127.0.0.1:${s.port}/`)).status, 403);
    assert.equal((await fetch(`http://127.0.0.1:${s.port}/?token=${"0".repeat(48)}`)).status, 403);
    assert.equal((await fetch(`http://127.0.0.1:${s.port}/assets/x.js`)).status, 403);
  });

  it("refuses other origins and foreign Host headers even with the token", async () => {
    assert.equal((await fetch(s.url, { headers: { origin: "http://evil.example" } })).status, 403);
    const r = await wsResult(`ws://127.0.0.1:${s.port}/api?token=${s.token}`, { origin: "http://evil.example" });
    assert.deepEqual(r, { ok: false, status: 403 });
    const h = await wsResult(`ws://127.0.0.1:${s.port}/api?token=${s.token}`, { host: "evil.example" });
    assert.equal(h.ok, false);
  });

  it("refuses WebSocket connections without the token", async () => {
    assert.deepEqual(await wsResult(`ws://127.0.0.1:${s.port}/api`), { ok: false, status: 403 });
    assert.deepEqual(await wsResult(`ws://127.0.0.1:${s.port}/api?token=nope`), { ok: false, status: 403 });
  });

  it("answers API calls with the token; frames arrive as one binary message", async () => {
    const r = await wsResult(`ws://127.0.0.1:${s.port}/api?token=${s.token}`, { origin: `http://127.0.0.1:${s.port}` });
    assert.ok(r.ok);
    const ws = r.ws;
    const session = await call(ws, 1, "getSession", {});
    assert.ok(session.ok);
    const ds = (session.result as { datasets: { datasetId: string; nShots: number }[] }).datasets[0]!;
    assert.equal(ds.nShots, 30);
    const f = await call(ws, 2, "readFrame", { datasetId: ds.datasetId, shotIndex: 3 });
    assert.ok(f.ok && f.binary);
    const frame = f.result as { pixels: Float32Array; shape: number[] };
    assert.ok(frame.pixels instanceof Float32Array);
    assert.equal(frame.pixels.length, 516 * 1556);
    // Invalid requests are answered with a clear error, not a crash.
    const bad = await call(ws, 3, "readFrame", { datasetId: ds.datasetId, shotIndex: -2 });
    assert.equal(bad.ok, false);
    assert.match(bad.error!, /params\.shotIndex/);
    const oob = await call(ws, 4, "readFrame", { datasetId: ds.datasetId, shotIndex: 30 });
    assert.match(oob.error!, /shot 30 out of range/);
    // Only opened files can be read.
    const denied = await call(ws, 5, "openDataset", { paths: ["/etc/passwd"] });
    assert.equal(denied.ok, false);
    assert.match(denied.error!, /not opened by the user/);
    const denied2 = await call(ws, 6, "openDataset", { paths: [`${fixtures}/../crystfel/lyso_ed.stream`] });
    assert.match(denied2.error!, /not opened by the user/);
    ws.close();
  });
});
