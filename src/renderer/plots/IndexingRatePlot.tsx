/** Indexing rate over time: cumulative and running (window of 10 patterns) indexed fraction in stream order. */
import { useMemo } from "react";
import { Plot } from "./Plot.tsx";

export function IndexingRatePlot({ perChunk }: { perChunk: readonly number[] }) {
  const data = useMemo(() => {
    const x: number[] = [], cum: number[] = [], run: number[] = [];
    let k = 0;
    perChunk.forEach((c, i) => {
      if (c > 0) k++;
      x.push(i + 1); cum.push((100 * k) / (i + 1));
      const lo = Math.max(0, i - 9);
      const w = perChunk.slice(lo, i + 1);
      run.push((100 * w.filter((v) => v > 0).length) / w.length);
    });
    return [
      { type: "scatter", mode: "lines", name: "cumulative", x, y: cum },
      { type: "scatter", mode: "lines", name: "last 10 patterns", x, y: run, line: { dash: "dot" } },
    ];
  }, [perChunk]);
  const layout = useMemo(() => ({ title: { text: "indexing rate over time" }, xaxis: { title: { text: "pattern (stream order)" } }, yaxis: { title: { text: "indexed %" }, range: [0, 105] } }), []);
  return <Plot data={data} layout={layout} height={240} testId="indexing-rate" />;
}
