/**
 * Worker thread that renders simulated frames (started through scripts/worker-boot.mjs).
 * workerData: { config: Partial<SimConfig> }. Messages in: { id, shot }; out: { id, frame } (transferred) or { id, error }.
 */
import { parentPort, workerData } from "node:worker_threads";
import { createSimulation } from "../../core/sim/simulation.ts";
import type { SimConfig } from "../../core/sim/config.ts";

const port = parentPort;
if (!port) throw new Error("render-worker must run in a worker thread");
const sim = createSimulation((workerData as { config: Partial<SimConfig> }).config);
port.on("message", (msg: { id: number; shot: number }) => {
  try {
    const frame = sim.renderShot(msg.shot);
    port.postMessage({ id: msg.id, frame }, [frame.buffer as ArrayBuffer]);
  } catch (e) {
    port.postMessage({ id: msg.id, error: e instanceof Error ? e.message : String(e) });
  }
});
port.postMessage({ ready: true });
