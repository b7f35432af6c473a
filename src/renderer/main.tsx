/** Renderer entry: connects to the host (Electron preload or browser-mode WebSocket) and mounts the app. */
import { createRoot } from "react-dom/client";
import { connectHost } from "./api/host-client.ts";
import { App } from "./App.tsx";
import { createAppStore, StoreContext } from "./state/store.ts";
import "./styles.css";

const host = connectHost();
const store = createAppStore();
createRoot(document.getElementById("root")!).render(
  <StoreContext.Provider value={store}>
    <App host={host} />
  </StoreContext.Provider>,
);
