/** Job records on disk: <jobsDir>/<id>/job.json written atomically; ids sortable by creation. */
import { existsSync, mkdirSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { writeFileAtomic } from "../project/atomic-write.ts";
import type { JobRecord, JobSpec } from "./job-record.ts";

let seq = 0;

export class JobStore {
  constructor(readonly jobsDir: string) {
    mkdirSync(jobsDir, { recursive: true });
  }

  dir(id: string): string {
    return join(this.jobsDir, id);
  }

  create(spec: JobSpec, extra: Partial<JobRecord> = {}): JobRecord {
    const stamp = new Date().toISOString().replace(/[-:]/g, "").replace(/\.\d+Z$/, "");
    let id: string;
    do {
      id = `${stamp}-${process.pid.toString(36)}${(seq++).toString(36)}`;
    } while (existsSync(this.dir(id)));
    mkdirSync(this.dir(id), { recursive: true });
    const rec: JobRecord = { id, spec, state: "queued", createdAt: new Date().toISOString(), logPath: join(this.dir(id), "log.txt"), hostPid: process.pid, ...extra };
    this.write(rec);
    return rec;
  }

  write(rec: JobRecord): void {
    writeFileAtomic(join(this.dir(rec.id), "job.json"), JSON.stringify(rec, null, 2) + "\n");
  }

  read(id: string): JobRecord {
    const f = join(this.dir(id), "job.json");
    let text: string;
    try {
      text = readFileSync(f, "utf8");
    } catch (e) {
      throw new Error(`job ${id}: no record at ${f}`, { cause: e });
    }
    try {
      return JSON.parse(text) as JobRecord;
    } catch (e) {
      throw new Error(`job ${id}: corrupt record ${f} (${e instanceof Error ? e.message : String(e)})`, { cause: e });
    }
  }

  update(id: string, patch: Partial<JobRecord>): JobRecord {
    const rec = { ...this.read(id), ...patch } as JobRecord;
    this.write(rec);
    return rec;
  }

  /** All readable records, oldest first (unreadable ones are skipped). */
  list(): JobRecord[] {
    if (!existsSync(this.jobsDir)) return [];
    const out: JobRecord[] = [];
    for (const id of readdirSync(this.jobsDir).sort()) {
      if (!existsSync(join(this.dir(id), "job.json"))) continue;
      try { out.push(this.read(id)); } catch { /* a damaged record does not hide the others */ }
    }
    return out;
  }
}
