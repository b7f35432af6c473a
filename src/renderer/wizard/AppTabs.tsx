/** The "Viewer | Wizard" switch of the top bar and the hook that picks the start tab. */
import { useEffect, useState } from "react";
import type { HostClient } from "../api/host-client.ts";

export type AppTab = "viewer" | "wizard";

/** Starts on the wizard when the URL says #wizard or the host has a project open (e.g. the demo). */
export function useAppTab(host: HostClient): [AppTab, (t: AppTab) => void] {
  const [tab, setTab] = useState<AppTab>(() => (window.location.hash === "#wizard" ? "wizard" : "viewer"));
  useEffect(() => {
    if (window.location.hash === "#viewer") return;
    host.pipelineState({}).then((p) => { if (p.projectPath !== null) setTab("wizard"); }, () => undefined);
  }, [host]);
  return [tab, setTab];
}

export function TabSwitch({ tab, setTab }: { tab: AppTab; setTab: (t: AppTab) => void }) {
  return (
    <span className="tabs" role="tablist">
      {(["viewer", "wizard"] as const).map((t) => (
        <button key={t} role="tab" aria-selected={tab === t} data-testid={`tab-${t}`} className={tab === t ? "sel" : ""} onClick={() => setTab(t)}>{t === "viewer" ? "Viewer" : "Wizard"}</button>
      ))}
    </span>
  );
}
