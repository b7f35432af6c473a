/** Virtualised shot table: only visible rows are in the DOM; sortable; query box with inline errors. */
import { useMemo, useRef, useState, type KeyboardEvent } from "react";
import type { HostClient } from "../api/host-client.ts";
import { cellValue, getShotData, visibleRows } from "../state/shot-data.ts";
import { useApp } from "../state/store.ts";

const ROW_H = 20;
const preferred = ["Event", "crystal_id", "frame", "num_peaks", "num_crystals", "indexed_by", "center_x", "center_y", "selected", "region", "run", "sample", "file"];

function fmt(v: unknown, column: string): string {
  if (typeof v === "number") return Number.isInteger(v) ? String(v) : Number.isNaN(v) ? "–" : v.toFixed(2);
  if (typeof v === "boolean") return v ? "✓" : "·";
  if (typeof v === "string") return column === "file" || column === "file_raw" ? v.replace(/^.*\//, "") : v;
  return "";
}

export function ShotTable({ host }: { host: HostClient }) {
  const ds = useApp((s) => s.dataset);
  const version = useApp((s) => s.shotsVersion);
  const mask = useApp((s) => s.mask);
  const hitsOnly = useApp((s) => s.hitsOnly);
  const sort = useApp((s) => s.sort);
  const setSort = useApp((s) => s.setSort);
  const shot = useApp((s) => s.shotIndex);
  const setShot = useApp((s) => s.setShot);
  const query = useApp((s) => s.query);
  const setQuery = useApp((s) => s.setQuery);
  const queryError = useApp((s) => s.queryError);
  const setQueryResult = useApp((s) => s.setQueryResult);
  const [scrollTop, setScrollTop] = useState(0);
  const [height, setHeight] = useState(300);
  const body = useRef<HTMLDivElement>(null);
  const data = getShotData();
  void version;
  const rows = visibleRows(data, mask, hitsOnly, sort);
  const columns = useMemo(() => {
    const names = Object.keys(data.columns);
    return [...preferred.filter((p) => names.includes(p)), ...names.filter((n) => !preferred.includes(n))];
  }, [data]);

  const runQuery = async (): Promise<void> => {
    if (!ds) return;
    if (query.trim() === "") { setQueryResult({ mask: null, error: null }); return; }
    const r = await host.query({ datasetId: ds.datasetId, expr: query });
    if (r.ok) setQueryResult({ mask: r.mask, error: null });
    else setQueryResult({ mask: null, error: { message: r.message, position: r.position } });
  };
  const onKey = (e: KeyboardEvent<HTMLInputElement>): void => {
    e.stopPropagation();
    if (e.key === "Enter") void runQuery();
    if (e.key === "Escape") (e.target as HTMLInputElement).blur();
  };

  const first = Math.max(0, Math.floor(scrollTop / ROW_H) - 5);
  const last = Math.min(rows.length, Math.ceil((scrollTop + height) / ROW_H) + 5);
  const visible: number[] = [];
  for (let r = first; r < last; r++) visible.push(rows[r]!);

  return (
    <div className="pane table-pane">
      <div className="query-bar">
        <input className={`query-input${queryError ? " has-error" : ""}`} data-testid="query" placeholder="query, e.g. num_peaks >= 15 and frame > 0   (Enter)" value={query}
          onChange={(e) => setQuery(e.target.value)} onKeyDown={onKey} spellCheck={false} />
        <span className="row-count" data-testid="row-count">{rows.length} / {data.nShots} shots</span>
      </div>
      {queryError ? (
        <div className="query-error" data-testid="query-error">
          <pre>{query}{"\n"}{" ".repeat(Math.min(queryError.position, query.length))}^</pre>
          <span>{queryError.message.split("\n")[0]}</span>
        </div>
      ) : null}
      <div className="table-head" style={{ gridTemplateColumns: `56px repeat(${columns.length}, minmax(70px, 1fr))` }}>
        <div className="th idx" title="shot index (sort by table order)" onClick={() => setSort(null)}>#</div>
        {columns.map((c) => (
          <div key={c} className="th" title={`sort by ${c}`} onClick={() => setSort(sort?.column === c ? (sort.desc ? null : { column: c, desc: true }) : { column: c, desc: false })}>
            {c}{sort?.column === c ? (sort.desc ? " ▼" : " ▲") : ""}
          </div>
        ))}
      </div>
      <div className="table-body" ref={body} data-testid="table-body"
        onScroll={(e) => { setScrollTop(e.currentTarget.scrollTop); setHeight(e.currentTarget.clientHeight); }}>
        <div style={{ height: rows.length * ROW_H, position: "relative" }}>
          {visible.map((i, k) => (
            <div key={i} className={`tr${i === shot ? " current" : ""}`} data-shot={i}
              style={{ top: (first + k) * ROW_H, gridTemplateColumns: `56px repeat(${columns.length}, minmax(70px, 1fr))` }}
              onClick={() => setShot(i)}>
              <div className="td idx">{i}</div>{columns.map((c) => <div key={c} className="td">{fmt(cellValue(data, c, i), c)}</div>)}
            </div>
          ))}
        </div>
      </div>
    </div>
  );
}
