/** Selection slice: dataset, query mask, hits-only filter and table sort. */
import type { StateCreator } from "zustand";
import type { DatasetSummary } from "../../core/api/host-api.ts";
import type { AppState } from "./store.ts";

export interface SelectionSlice {
  dataset: DatasetSummary | null;
  /** Bumped when the shot columns of the dataset have arrived in the shot-data cache. */
  shotsVersion: number;
  query: string;
  queryError: { message: string; position: number } | null;
  /** Shot mask of the last successful query (null = all shots). */
  mask: Uint8Array | null;
  hitsOnly: boolean;
  sort: { column: string; desc: boolean } | null;
  status: string;
  setDataset(d: DatasetSummary | null): void;
  shotsLoaded(): void;
  setQuery(q: string): void;
  setQueryResult(r: { mask: Uint8Array | null; error: { message: string; position: number } | null }): void;
  setHitsOnly(h: boolean): void;
  setSort(s: { column: string; desc: boolean } | null): void;
  setStatus(s: string): void;
}

export const createSelectionSlice: StateCreator<AppState, [], [], SelectionSlice> = (set) => ({
  dataset: null,
  shotsVersion: 0,
  query: "",
  queryError: null,
  mask: null,
  hitsOnly: false,
  sort: null,
  status: "connecting to the host …",
  setDataset: (dataset) => set({ dataset, mask: null, queryError: null, sort: null, shotIndex: 0 }),
  shotsLoaded: () => set((s) => ({ shotsVersion: s.shotsVersion + 1 })),
  setQuery: (query) => set({ query }),
  setQueryResult: ({ mask, error }) => set(error ? { queryError: error } : { mask, queryError: null }),
  setHitsOnly: (hitsOnly) => set({ hitsOnly }),
  setSort: (sort) => set({ sort }),
  setStatus: (status) => set({ status }),
});
