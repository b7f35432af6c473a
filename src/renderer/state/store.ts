/** The app store, composed from slices by a factory (each test / window gets a fresh one). */
import { createContext, useContext } from "react";
import { createStore, useStore, type StoreApi } from "zustand";
import { createSelectionSlice, type SelectionSlice } from "./selection-slice.ts";
import { createViewerSlice, type ViewerSlice } from "./viewer-slice.ts";
import { createTuningSlice, type TuningSlice } from "../tuning/tuning-slice.ts";

export type AppState = ViewerSlice & SelectionSlice & TuningSlice;
export type AppStore = StoreApi<AppState>;

export function createAppStore(): AppStore {
  return createStore<AppState>()((...a) => ({ ...createViewerSlice(...a), ...createSelectionSlice(...a), ...createTuningSlice(...a) }));
}

export const StoreContext = createContext<AppStore | null>(null);

export function useApp<T>(selector: (s: AppState) => T): T {
  const store = useContext(StoreContext);
  if (!store) throw new Error("useApp outside <StoreContext.Provider>");
  return useStore(store, selector);
}

export function useAppStore(): AppStore {
  const store = useContext(StoreContext);
  if (!store) throw new Error("useAppStore outside <StoreContext.Provider>");
  return store;
}
