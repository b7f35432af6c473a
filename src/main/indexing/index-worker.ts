/**
 * Worker thread of the indexing pool (started through scripts/worker-boot.mjs). Messages:
 * {id, config} sets the engine config; {id, shot, frame?} indexes (and integrates on the frame when
 * given, or integrates given crystals when `crystals` is set) and answers {id, ok, crystals, reflections}.
 */
import { parentPort } from "node:worker_threads";
import { indexShot, integrateCrystal, type EngineConfig, type ShotCrystal, type ShotInput } from "../../core/indexing/process-shot.ts";
import type { Frame } from "../../core/image/frame.ts";

interface Msg { id: number; config?: EngineConfig; shot?: ShotInput; frame?: Frame; mask?: Uint8Array; crystals?: ShotCrystal[] }

let config: EngineConfig | null = null;
const port = parentPort;
if (!port) throw new Error("index-worker.ts must run in a worker thread");
port.on("message", (m: Msg) => {
  try {
    if (m.config) { config = m.config; port.postMessage({ id: m.id, ok: true }); return; }
    if (!config) throw new Error("indexing worker: not configured");
    if (!m.shot) throw new Error("indexing worker: no shot");
    const crystals = m.crystals ?? indexShot(config, m.shot);
    const reflections = m.frame ? crystals.map((c) => integrateCrystal(config!, c, m.frame!, m.mask)) : crystals.map(() => null);
    port.postMessage({ id: m.id, ok: true, crystals, reflections });
  } catch (e) {
    port.postMessage({ id: m.id, ok: false, error: e instanceof Error ? e.message : String(e) });
  }
});
