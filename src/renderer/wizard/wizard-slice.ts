/**
 * Wizard state (zustand): the host's pipeline state, the selected step, step results for the
 * plots and the last error. Its own store (the wizard is a separate tab), built from one slice.
 */
import { createStore, type StateCreator, type StoreApi } from "zustand";
import type { PipelineResult, PipelineState } from "../../core/api/host-api.ts";

export interface WizardSlice {
  pipeline: PipelineState | null;
  /** Selected step (STEP_ORDER name). */
  step: string;
  results: Readonly<Record<string, PipelineResult>>;
  error: string | null;
  /** Last progress/log line per step from pipelineUpdate events. */
  lastEvent: Readonly<Record<string, string>>;
  setPipeline(p: PipelineState): void;
  setStep(step: string): void;
  setResult(r: PipelineResult): void;
  setError(e: string | null): void;
  setLastEvent(step: string, message: string): void;
}

export const createWizardSlice: StateCreator<WizardSlice> = (set) => ({
  pipeline: null,
  step: "import",
  results: {},
  error: null,
  lastEvent: {},
  setPipeline: (pipeline) => set({ pipeline }),
  setStep: (step) => set({ step }),
  setResult: (r) => set((s) => ({ results: { ...s.results, [r.step]: r } })),
  setError: (error) => set({ error }),
  setLastEvent: (step, message) => set((s) => ({ lastEvent: { ...s.lastEvent, [step]: message } })),
});

export type WizardStore = StoreApi<WizardSlice>;

export function createWizardStore(): WizardStore {
  return createStore<WizardSlice>()((...a) => ({ ...createWizardSlice(...a) }));
}
