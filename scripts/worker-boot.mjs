// Bootstrap for worker_threads under tsx: Node 20 cannot start a .ts worker directly.
import { register } from "tsx/esm/api";
import { workerData } from "node:worker_threads";
register();
await import(workerData.__tsFile);
