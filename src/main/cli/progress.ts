/**
 * Terminal progress bar with rate and ETA. Draws in place on a TTY (stderr); on a pipe/CI it prints
 * a plain line at most every `plainIntervalMs` so logs stay readable.
 */
export interface ProgressBar {
  update(done: number, note?: string): void;
  finish(note?: string): void;
}

function fmtTime(s: number): string {
  if (!Number.isFinite(s)) return "--:--";
  const m = Math.floor(s / 60), sec = Math.floor(s % 60);
  return m >= 60 ? `${Math.floor(m / 60)}h${String(m % 60).padStart(2, "0")}m` : `${String(m).padStart(2, "0")}:${String(sec).padStart(2, "0")}`;
}

export function progressBar(label: string, total: number, unit = "items", { stream = process.stderr, plainIntervalMs = 2000 } = {}): ProgressBar {
  const t0 = Date.now();
  let lastDraw = 0;
  const tty = Boolean((stream as { isTTY?: boolean }).isTTY);
  const line = (done: number, note?: string): string => {
    const el = (Date.now() - t0) / 1000;
    const rate = el > 0 ? done / el : 0;
    const frac = total > 0 ? Math.min(done / total, 1) : 0;
    const width = 28;
    const fill = Math.round(frac * width);
    const eta = rate > 0 ? (total - done) / rate : Infinity;
    return `${label} [${"#".repeat(fill)}${"-".repeat(width - fill)}] ${done}/${total} ${unit} ${(100 * frac).toFixed(0)}% ${rate.toFixed(rate < 10 ? 1 : 0)} ${unit}/s ETA ${fmtTime(eta)}${note ? ` ${note}` : ""}`;
  };
  return {
    update(done, note) {
      const now = Date.now();
      if (tty) {
        if (now - lastDraw < 80 && done < total) return;
        lastDraw = now;
        stream.write(`\r${line(done, note)}\x1b[K`);
      } else if (now - lastDraw >= plainIntervalMs || done >= total) {
        lastDraw = now;
        stream.write(`${line(done, note)}\n`);
      }
    },
    finish(note) {
      const el = (Date.now() - t0) / 1000;
      stream.write(`${tty ? "\r" : ""}${label}: ${total} ${unit} in ${el.toFixed(1)} s${note ? ` — ${note}` : ""}${tty ? "\x1b[K" : ""}\n`);
    },
  };
}
