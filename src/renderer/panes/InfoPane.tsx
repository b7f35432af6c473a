/** Info pane: every shot-table field of the current shot, and the stream chunk's crystals. */
import { useEffect, useState } from "react";
import type { StreamShotInfo } from "../../core/api/host-api.ts";
import type { FrameCache } from "../state/frame-cache.ts";
import { cellValue, getShotData } from "../state/shot-data.ts";
import { useApp } from "../state/store.ts";

export function InfoPane({ cache }: { cache: FrameCache }) {
  const ds = useApp((s) => s.dataset);
  const shot = useApp((s) => s.shotIndex);
  useApp((s) => s.shotsVersion);
  const [stream, setStream] = useState<StreamShotInfo | null>(null);
  useEffect(() => {
    if (!ds?.stream) { setStream(null); return; }
    let alive = true;
    cache.get(ds.datasetId, shot, ds.frameShape !== null, true).then((b) => { if (alive) setStream(b.stream); }).catch(() => {});
    return () => { alive = false; };
  }, [ds, shot, cache]);
  const d = getShotData();
  if (!ds) return <div className="pane info-pane" />;
  return (
    <div className="pane info-pane" data-testid="info">
      <h3>Shot {shot}</h3>
      <table><tbody>
        {Object.keys(d.columns).map((c) => {
          const v = cellValue(d, c, shot);
          return <tr key={c}><th>{c}</th><td>{typeof v === "number" && !Number.isInteger(v) ? v.toFixed(3) : String(v ?? "")}</td></tr>;
        })}
      </tbody></table>
      {ds.stream ? (
        <>
          <h3>Stream</h3>
          {!stream ? <p className="muted">no chunk for this shot</p> : (
            <table><tbody>
              <tr><th>chunk</th><td>{stream.chunkIndex} ({stream.filename} {stream.event})</td></tr>
              <tr><th>indexed by</th><td>{stream.indexedBy || "–"}</td></tr>
              <tr><th>peaks</th><td>{stream.nPeaks}</td></tr>
              <tr><th>crystals</th><td data-testid="n-crystals">{stream.crystals.length}</td></tr>
              {stream.error ? <tr><th>error</th><td className="err">{stream.error}</td></tr> : null}
              {stream.crystals.map((c, i) => (
                <tr key={i}><th>crystal {i + 1}</th><td>
                  {c.cell.slice(0, 3).map((x) => x.toFixed(2)).join(", ")} Å; {c.cell.slice(3).map((x) => x.toFixed(1)).join(", ")}°<br />
                  {c.lattice} {c.centering} (unique {c.uniqueAxis}) · {c.nReflections} reflections · res. {c.resolutionLimitAngstrom?.toFixed(2) ?? "–"} Å
                  {c.profileRadiusInvNm !== null ? ` · profile ${c.profileRadiusInvNm.toFixed(4)} nm⁻¹` : ""}
                </td></tr>
              ))}
            </tbody></table>
          )}
          <p className="muted">{ds.stream.nChunks} chunks, {ds.stream.nIndexedChunks} indexed, {ds.stream.nCrystals} crystals · methods: {ds.stream.indexingMethods || "–"}</p>
          {ds.stream.problems.map((p) => <p key={p} className="err">{p}</p>)}
        </>
      ) : null}
    </div>
  );
}
