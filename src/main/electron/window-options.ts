/**
 * Security-relevant BrowserWindow web preferences, kept apart from main.ts (which imports electron)
 * so a Node test can check them. The preload is bundled as CommonJS (sandboxed preloads cannot be ESM).
 */
export const secureWebPreferences = {
  contextIsolation: true,
  sandbox: true,
  nodeIntegration: false,
  webSecurity: true,
} as const;

/** File name of the bundled preload next to the bundled main (dist/electron). */
export const preloadFileName = "preload.cjs";

/** Names the preload exposes on `window.serialedBridge`: a generic invoke (validated against the contract in ipc-bridge.ts) and the event subscription. */
export const bridgeKeys = ["invoke", "onEvent"] as const;
