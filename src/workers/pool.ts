/**
 * worker_threads pool running the kernels of ./kernels.ts, typed by `Kernels`. Size is passed in by
 * the host (os.availableParallelism). Features: transferables both ways, per-call errors (a failing
 * kernel rejects only its call), respawn of crashed workers (their in-flight calls are rejected),
 * per-call AbortSignal, `broadcast` for per-worker setup that is replayed on respawn.
 */
import { Worker } from "node:worker_threads";
import type { Kernels } from "./kernels.ts";

type KernelName = keyof Kernels & string;
type Args<N extends KernelName> = Parameters<Kernels[N]>;
type Result<N extends KernelName> = Awaited<ReturnType<Kernels[N]>>;

export interface CallOptions {
  readonly transfer?: readonly ArrayBuffer[];
  readonly signal?: AbortSignal;
}

export interface WorkerPool {
  readonly size: number;
  /** Runs one kernel on the next free worker. */
  call<N extends KernelName>(name: N, args: Args<N>, opts?: CallOptions): Promise<Result<N>>;
  /** Runs a kernel on every worker (e.g. `configure`); remembered and replayed on respawned workers. */
  broadcast<N extends KernelName>(name: N, args: Args<N>): Promise<void>;
  /** Forgets a remembered broadcast (e.g. after `release`). */
  forget(predicate: (name: string, args: unknown[]) => boolean): void;
  /** Calls waiting or running. */
  readonly pending: number;
  close(): Promise<void>;
}

interface Task {
  readonly id: number;
  readonly name: string;
  readonly args: unknown[];
  readonly transfer: readonly ArrayBuffer[];
  readonly resolve: (v: unknown) => void;
  readonly reject: (e: Error) => void;
  settled: boolean;
}

interface Slot { worker: Worker; busy: Map<number, Task> }

const bootFile = new URL("../../scripts/worker-boot.mjs", import.meta.url);
const entryFile = new URL("./worker-entry.ts", import.meta.url).href;

export function createWorkerPool(size: number, { tasksPerWorker = 2 } = {}): WorkerPool {
  if (!Number.isInteger(size) || size < 1) throw new Error(`worker pool size must be a positive integer, got ${size}`);
  let nextId = 1;
  let closed = false;
  const queue: Task[] = [];
  const setupLog: { name: string; args: unknown[] }[] = [];
  const slots: Slot[] = [];

  const settle = (t: Task, ok: boolean, v: unknown): void => {
    if (t.settled) return;
    t.settled = true;
    if (ok) t.resolve(v); else t.reject(v instanceof Error ? v : new Error(String(v)));
  };

  const send = (slot: Slot, t: Task): void => {
    slot.busy.set(t.id, t);
    slot.worker.postMessage({ id: t.id, name: t.name, args: t.args }, [...t.transfer]);
  };

  const pump = (): void => {
    while (queue.length > 0) {
      let best: Slot | undefined;
      for (const s of slots) if (s.busy.size < tasksPerWorker && (!best || s.busy.size < best.busy.size)) best = s;
      if (!best) return;
      const t = queue.shift()!;
      if (t.settled) continue;
      send(best, t);
    }
  };

  const spawn = (index: number): void => {
    const worker = new Worker(bootFile, { workerData: { __tsFile: entryFile } });
    const slot: Slot = { worker, busy: new Map() };
    slots[index] = slot;
    worker.on("message", (msg: { id: number; ok: boolean; result?: unknown; error?: string }) => {
      const t = slot.busy.get(msg.id);
      if (!t) return;
      slot.busy.delete(msg.id);
      settle(t, msg.ok, msg.ok ? msg.result : new Error(msg.error ?? "kernel failed"));
      pump();
    });
    const onDeath = (why: string): void => {
      if (slots[index] !== slot) return;
      for (const t of slot.busy.values()) settle(t, false, new Error(`worker died while running '${t.name}': ${why}`));
      slot.busy.clear();
      if (closed) return;
      spawn(index);
      pump();
    };
    worker.on("error", (e) => onDeath(e instanceof Error ? e.message : String(e)));
    worker.on("exit", (code) => onDeath(`exit code ${code}`));
    // replay per-worker setup (it is queued before any other task on this worker)
    for (const s of setupLog) {
      const t: Task = { id: nextId++, name: s.name, args: s.args, transfer: [], resolve: () => undefined, reject: () => undefined, settled: false };
      send(slot, t);
    }
  };

  for (let i = 0; i < size; i++) spawn(i);

  const pool: WorkerPool = {
    size,
    get pending() { return queue.length + slots.reduce((a, s) => a + s.busy.size, 0); },
    call(name, args, opts = {}) {
      if (closed) return Promise.reject(new Error("worker pool is closed"));
      return new Promise((resolve, reject) => {
        const t: Task = { id: nextId++, name, args: args as unknown[], transfer: opts.transfer ?? [], resolve: resolve as (v: unknown) => void, reject, settled: false };
        const sig = opts.signal;
        if (sig) {
          if (sig.aborted) { reject(new Error("cancelled")); return; }
          sig.addEventListener("abort", () => settle(t, false, new Error("cancelled")), { once: true });
        }
        queue.push(t);
        pump();
      });
    },
    async broadcast(name, args) {
      if (closed) throw new Error("worker pool is closed");
      setupLog.push({ name, args: args as unknown[] });
      await Promise.all(slots.map((slot) => new Promise((resolve, reject) => {
        send(slot, { id: nextId++, name, args: args as unknown[], transfer: [], resolve, reject, settled: false });
      })));
    },
    forget(predicate) {
      for (let i = setupLog.length - 1; i >= 0; i--) if (predicate(setupLog[i]!.name, setupLog[i]!.args)) setupLog.splice(i, 1);
    },
    async close() {
      closed = true;
      for (const t of queue) settle(t, false, new Error("worker pool closed"));
      queue.length = 0;
      await Promise.all(slots.map((s) => s.worker.terminate()));
    },
  };
  return pool;
}
