/**
 * Small worker_threads pool for the indexing engine (index-worker.ts): one config broadcast, then
 * shots dispatched to the least busy worker; frames travel as transferables. A crashed worker
 * rejects its in-flight shots (reported per shot, the run goes on) and is replaced.
 */
import { Worker } from "node:worker_threads";
import type { EngineConfig, ShotCrystal, ShotInput } from "../../core/indexing/process-shot.ts";
import type { StreamReflections } from "../../core/formats/stream-types.ts";
import type { Frame } from "../../core/image/frame.ts";

export interface ShotResult {
  readonly crystals: ShotCrystal[];
  readonly reflections: (StreamReflections | null)[];
}

export interface IndexPool {
  run(shot: ShotInput, frame?: Frame, crystals?: ShotCrystal[], mask?: Uint8Array): Promise<ShotResult>;
  close(): Promise<void>;
}

const boot = new URL("../../../scripts/worker-boot.mjs", import.meta.url);
const entry = new URL("./index-worker.ts", import.meta.url).href;

export function createIndexPool(size: number, config: EngineConfig): IndexPool {
  interface Pending { resolve: (r: ShotResult) => void; reject: (e: Error) => void }
  interface Slot { w: Worker; busy: Map<number, Pending> }
  let nextId = 1, closed = false;
  const slots: Slot[] = [];
  const spawn = (i: number): void => {
    const w = new Worker(boot, { workerData: { __tsFile: entry } });
    const slot: Slot = { w, busy: new Map() };
    slots[i] = slot;
    w.on("message", (m: { id: number; ok: boolean; error?: string } & Partial<ShotResult>) => {
      const p = slot.busy.get(m.id);
      if (!p) return;
      slot.busy.delete(m.id);
      if (m.ok) p.resolve({ crystals: m.crystals ?? [], reflections: m.reflections ?? [] });
      else p.reject(new Error(m.error ?? "worker error"));
    });
    const die = (why: string): void => {
      if (slots[i] !== slot) return;
      for (const p of slot.busy.values()) p.reject(new Error(`indexing worker died: ${why}`));
      slot.busy.clear();
      if (!closed) spawn(i);
    };
    w.on("error", (e) => die(e.message));
    w.on("exit", (code) => die(`exit code ${code}`));
    const id = nextId++;
    slot.busy.set(id, { resolve: () => undefined, reject: () => undefined });
    w.postMessage({ id, config });
  };
  for (let i = 0; i < size; i++) spawn(i);
  return {
    run(shot, frame, crystals, mask) {
      if (closed) return Promise.reject(new Error("indexing pool is closed"));
      let best = slots[0]!;
      for (const s of slots) if (s.busy.size < best.busy.size) best = s;
      const id = nextId++;
      return new Promise((resolve, reject) => {
        best.busy.set(id, { resolve, reject });
        const transfer: ArrayBuffer[] = [];
        if (frame && frame.pixels.buffer instanceof ArrayBuffer) transfer.push(frame.pixels.buffer);
        best.w.postMessage({ id, shot, frame, crystals, mask }, transfer);
      });
    },
    async close() {
      closed = true;
      await Promise.all(slots.map((s) => s.w.terminate()));
    },
  };
}
