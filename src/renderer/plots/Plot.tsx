/** A plotly.js chart (loaded on first use, so the viewer does not pay for it); re-renders when data/layout change. */
import { useEffect, useRef } from "react";
import type { PlotlyStatic } from "plotly.js-dist-min";

let plotly: Promise<PlotlyStatic> | null = null;
const loadPlotly = (): Promise<PlotlyStatic> => (plotly ??= import("plotly.js-dist-min").then((m) => m.default));

export interface PlotProps {
  readonly data: readonly object[];
  readonly layout?: object;
  readonly height?: number;
  readonly testId?: string;
  /** Called with the point's customdata (or x) when a point is clicked. */
  readonly onClick?: (value: unknown) => void;
}

const baseLayout = {
  margin: { l: 52, r: 12, t: 30, b: 42 },
  paper_bgcolor: "#1b1e23", plot_bgcolor: "#1b1e23",
  font: { color: "#d8dde3", size: 11 },
  xaxis: { gridcolor: "#333a42", zerolinecolor: "#444" }, yaxis: { gridcolor: "#333a42", zerolinecolor: "#444" },
  legend: { x: 1, xanchor: "right", y: 1, bgcolor: "rgba(20,23,26,0.6)", font: { size: 10 } },
};

export function Plot({ data, layout, height = 260, testId, onClick }: PlotProps) {
  const el = useRef<HTMLDivElement>(null);
  const click = useRef(onClick);
  click.current = onClick; // latest callback without re-plotting on every parent render
  const clickable = onClick !== undefined;
  useEffect(() => {
    let alive = true;
    const div = el.current;
    if (!div) return;
    void loadPlotly().then(async (P) => {
      if (!alive) return;
      await P.react(div, data, { ...baseLayout, height, ...(layout ?? {}) }, { displaylogo: false, responsive: true });
      div.dataset["rendered"] = "1";
      if (clickable) {
        const d = div as unknown as { removeAllListeners?: (e: string) => void; on?: (e: string, cb: (ev: { points: { customdata?: unknown; x?: unknown }[] }) => void) => void };
        d.removeAllListeners?.("plotly_click");
        d.on?.("plotly_click", (ev) => { const p = ev.points[0]; if (p) click.current?.(p.customdata ?? p.x); });
      }
    });
    return () => { alive = false; };
  }, [data, layout, height, clickable]);
  useEffect(() => () => { const div = el.current; if (div) void loadPlotly().then((P) => P.purge(div)); }, []);
  return <div ref={el} className="plot" data-testid={testId} style={{ minHeight: height }} />;
}
