/**
 * Renders simulated frames on worker threads (each builds the same deterministic Simulation from the
 * config), with read-ahead so the HDF5 writer on the main thread rarely waits. With 0 workers frames are
 * rendered on the calling thread. Results are identical either way (rendering is per-shot deterministic).
 */
import { Worker } from "node:worker_threads";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";
import type { Simulation } from "../../core/sim/simulation.ts";
import type { SimConfig } from "../../core/sim/config.ts";

const here = dirname(fileURLToPath(import.meta.url));
const BOOT = join(here, "../../../scripts/worker-boot.mjs");
const WORKER_TS = join(here, "render-worker.ts");

interface Pending { resolve: (f: Uint16Array) => void; reject: (e: Error) => void }

export class RenderPool {
  private readonly workers: Worker[] = [];
  private readonly busy: number[] = [];
  private readonly pending = new Map<number, Pending>();
  private readonly cache = new Map<number, Promise<Uint16Array>>();
  private nextId = 0;
  private rr = 0;

  private constructor(private readonly sim: Simulation, private readonly readAhead: number) {}

  /** Starts `nWorkers` workers (0 = render inline) and waits until they are ready. */
  static async create(sim: Simulation, config: Partial<SimConfig>, nWorkers: number, readAhead = 6): Promise<RenderPool> {
    const pool = new RenderPool(sim, readAhead);
    const ready: Promise<void>[] = [];
    for (let w = 0; w < nWorkers; w++) {
      const worker = new Worker(BOOT, { workerData: { __tsFile: WORKER_TS, config } });
      pool.workers.push(worker);
      pool.busy.push(0);
      ready.push(new Promise((resolve, reject) => {
        const onMsg = (m: { ready?: boolean }): void => { if (m.ready) { worker.off("message", onMsg); resolve(); } };
        worker.on("message", onMsg);
        worker.once("error", reject);
      }));
      worker.on("message", (m: { id?: number; frame?: Uint16Array; error?: string }) => {
        if (m.id === undefined) return;
        const p = pool.pending.get(m.id);
        if (!p) return;
        pool.pending.delete(m.id);
        pool.busy[w]!--;
        if (m.error !== undefined || !m.frame) p.reject(new Error(`render worker: ${m.error ?? "no frame"}`));
        else p.resolve(m.frame);
      });
      worker.on("error", (e) => { for (const p of pool.pending.values()) p.reject(e); pool.pending.clear(); });
    }
    await Promise.all(ready);
    return pool;
  }

  private dispatch(shot: number): Promise<Uint16Array> {
    if (this.workers.length === 0) return Promise.resolve(this.sim.renderShot(shot));
    let w = this.rr % this.workers.length;
    for (let j = 0; j < this.workers.length; j++) if (this.busy[j]! < this.busy[w]!) w = j;
    this.rr++;
    const id = this.nextId++;
    this.busy[w]!++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.workers[w]!.postMessage({ id, shot });
    });
  }

  /** Frame of a global shot index; also queues the next `readAhead` shots (up to `lastShot`). */
  get(shot: number, lastShot: number): Promise<Uint16Array> {
    for (let s = shot; s <= Math.min(lastShot, shot + this.readAhead); s++) {
      if (!this.cache.has(s)) this.cache.set(s, this.dispatch(s));
    }
    const p = this.cache.get(shot)!;
    this.cache.delete(shot);
    return p;
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
