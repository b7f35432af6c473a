/**
 * The one contract between the renderer and the host (Electron main process or the browser-mode
 * web host). Types for every request, response and event, the method list both bridges serve and
 * the client is built from, and a runtime validator for every message (./schema.ts; no eval).
 *
 * Coordinates: detector pixels in the CXI / diffractem convention (integer = pixel centre); add 0.5
 * for CrystFEL's pixel-corner convention. Frames are row-major, shape [ss, fs].
 * Large arrays travel as typed arrays (binary WebSocket messages / structured clone), never as JSON lists.
 */
import type { StepResources } from "../project/project-model.ts";
import { arr, bool, int, literal, nullable, num, obj, record, str, tuple, typed, variant, any, type Check } from "./schema.ts";

export type DatasetId = string;

export type ColumnKind = "float" | "int" | "bool" | "string";

/** One shot-table column as shipped to the renderer (all rows). */
export type ShotColumn =
  | { readonly type: "float" | "int"; readonly data: Float64Array }
  | { readonly type: "bool"; readonly data: Uint8Array }
  | { readonly type: "string"; readonly data: readonly string[] };

/** Experiment geometry used for resolution read-out and rings. */
export interface GeometryInfo {
  /** Wavelength, Å (electrons at 200 kV ≈ 0.0251 Å). */
  readonly wavelengthAngstrom: number;
  /** Sample-detector distance, m. */
  readonly cameraLengthM: number;
  /** Pixel pitch, m. */
  readonly pixelSizeM: number;
  /** Beam position (fs, ss) in CXI pixel-centre convention from the geometry, or null if unknown. */
  readonly beamCentreCxi: readonly [fs: number, ss: number] | null;
  /** Where the numbers came from, e.g. "lyso_ed.geom" or "defaults". */
  readonly source: string;
}

/** Summary of an opened CrystFEL stream. */
export interface StreamSummary {
  readonly path: string;
  readonly nChunks: number;
  readonly nIndexedChunks: number;
  readonly nCrystals: number;
  /** "Indexing methods selected" preamble line, or "". */
  readonly indexingMethods: string;
  /** Chunks that could not be parsed (truncated/malformed); the others are still usable. */
  readonly problems: readonly string[];
}

export interface MapInfo {
  /** Map image shape [rows, cols]. */
  readonly shape: readonly [rows: number, cols: number];
  /** Map pixel size, µm, or null if the file does not say. */
  readonly pixelSizeUm: number | null;
}

/** What the renderer learns about an opened dataset. */
export interface DatasetSummary {
  readonly datasetId: DatasetId;
  /** Display name, e.g. the file or .lst name. */
  readonly label: string;
  /** Image files of the dataset (absolute paths). */
  readonly files: readonly string[];
  readonly nShots: number;
  readonly columns: readonly { readonly name: string; readonly type: ColumnKind }[];
  /** [ss, fs] of the diffraction frames, or null when no image data is reachable (stream alone). */
  readonly frameShape: readonly [ss: number, fs: number] | null;
  /** Label of the diffraction stack that readFrame returns, or null. */
  readonly stackLabel: string | null;
  readonly hasCxiPeaks: boolean;
  readonly map: MapInfo | null;
  /** Number of distinct crystals (crystal_id ≥ 0). */
  readonly nCrystals: number;
  readonly geometry: GeometryInfo;
  readonly stream: StreamSummary | null;
}

/** A diffraction frame; `pixels` keeps the stored dtype (Uint16Array for raw counts, Float32Array …). */
export interface FrameImage {
  readonly shotIndex: number;
  readonly shape: readonly [ss: number, fs: number];
  readonly dtype: string;
  readonly pixels: Float32Array | Uint16Array | Int32Array | Uint32Array | Int16Array | Uint8Array | Float64Array;
}

/** Peak positions of one shot, CXI pixel-centre convention, columnar. */
export interface PeakList {
  readonly shotIndex: number;
  /** "cxi" = the file's CXI peak arrays, "stream" = the chunk's peak table, "none". */
  readonly source: "cxi" | "stream" | "none";
  readonly count: number;
  readonly fs: Float32Array;
  readonly ss: Float32Array;
  readonly intensity: Float32Array;
}

/** One indexed crystal of a stream chunk. */
export interface CrystalInfo {
  /** Reciprocal basis, lab frame, nm⁻¹. */
  readonly astar: readonly [number, number, number];
  readonly bstar: readonly [number, number, number];
  readonly cstar: readonly [number, number, number];
  /** a, b, c in Å, α, β, γ in degrees. */
  readonly cell: readonly [number, number, number, number, number, number];
  readonly lattice: string;
  readonly centering: string;
  readonly uniqueAxis: string;
  /** Resolution limit, Å, or null. */
  readonly resolutionLimitAngstrom: number | null;
  readonly profileRadiusInvNm: number | null;
  readonly detShiftMm: readonly [x: number, y: number];
  readonly nReflections: number;
  /** Predicted/integrated reflection positions (CXI convention) and intensities. */
  readonly predicted: { readonly fs: Float32Array; readonly ss: Float32Array; readonly intensity: Float32Array };
}

/** Stream information linked to one shot. */
export interface StreamShotInfo {
  readonly shotIndex: number;
  readonly chunkIndex: number;
  readonly filename: string;
  readonly event: string;
  readonly indexedBy: string;
  readonly hit: boolean | null;
  readonly nPeaks: number;
  readonly crystals: readonly CrystalInfo[];
  /** Parse error of this chunk (then crystals/peaks are empty), or null. */
  readonly error: string | null;
}

export interface MapImage {
  readonly fileIndex: number;
  readonly shape: readonly [rows: number, cols: number];
  readonly data: Float32Array;
  readonly pixelSizeUm: number | null;
  /** Crystal markers of this map (feature table rows of the file's sample/region). */
  readonly crystals: { readonly id: Float64Array; readonly x: Float64Array; readonly y: Float64Array };
}

export type QueryResult =
  | { readonly ok: true; readonly mask: Uint8Array; readonly count: number }
  /** `position` = 0-based character offset of the offending token in the expression. */
  | { readonly ok: false; readonly message: string; readonly position: number };

export interface SessionInfo {
  readonly mode: "web" | "electron";
  readonly version: string;
  readonly datasets: readonly DatasetSummary[];
}

// ================================================================ wizard / pipeline (helper "wizard") — begin
/** Step status from the project's staleness hashes (src/core/project/staleness.ts). */
export type PipelineStepStatus = "never-run" | "up-to-date" | "stale" | "running" | "failed";

/** One wizard step: its stored options, staleness, latest run and live job progress. */
export interface PipelineStepState {
  /** Step name (STEP_ORDER of src/core/project/project-model.ts). */
  readonly step: string;
  readonly status: PipelineStepStatus;
  /** The step's options as stored in project.yaml (plain JSON values). */
  readonly options: Readonly<Record<string, unknown>>;
  /** True when the step runs a custom command instead of its built-in subcommand. */
  readonly custom: boolean;
  /** Engine whose options `options` are (project.yaml steps.<step>.engine; the wizard shows that engine's option set). */
  readonly engine: "builtin" | "crystfel";
  readonly lastRun: {
    readonly id: string; readonly state: string; readonly startedAt: string; readonly finishedAt: string | null;
    /** Output files, relative to the project folder. */
    readonly outputs: readonly string[]; readonly message: string | null;
  } | null;
  readonly progress: { readonly done: number; readonly total: number; readonly note: string } | null;
}

/** The wizard's project as the host sees it. */
export interface PipelineState {
  /** Absolute project.yaml path, or null when no project is open. */
  readonly projectPath: string | null;
  /** Where a project for the session's dataset would go (beside its files), and whether it exists. */
  readonly suggestedPath: string | null;
  readonly suggestedExists: boolean;
  readonly name: string;
  readonly inputs: readonly string[];
  readonly steps: readonly PipelineStepState[];
  /** The step the host is running up to, or null. */
  readonly active: { readonly step: string } | null;
  /** Last driver message (e.g. "pipeline done up to merge: ran …" or a failure with its log tail). */
  readonly message: string;
}

/** Results of a step's latest run for the plots. */
export interface PipelineResult {
  readonly step: string;
  readonly runId: string | null;
  /** Absolute output paths. */
  readonly files: readonly string[];
  /** validate: `serialed stats --json` content. */
  readonly statsJson: unknown;
  /** merge: the per-crystal CSV (label, scale, B, included, ΔCC½, observations, radius). */
  readonly crystalsCsv: string | null;
  /** Tail of the job log. */
  readonly log: string | null;
  /** One-line summary (e.g. "30 patterns, 16 indexed (53 %), 18 crystals"). */
  readonly text: string | null;
  /** index/integrate: crystals per stream chunk in stream order (indexing rate over time), or null. */
  readonly crystalsPerChunk: readonly number[] | null;
  /** validate: earlier successful runs' statistics (newest first, at most 4), labelled with the merging model. */
  readonly statsHistory: readonly { readonly label: string; readonly json: unknown }[];
}

/** Live tuning result for one frame: centre and peaks (CXI pixel-centre convention, px). */
export interface TuneResult {
  readonly shotIndex: number;
  /** Refined pattern centre (fs, ss). */
  readonly centre: readonly [fs: number, ss: number];
  readonly com: readonly [fs: number, ss: number];
  readonly lorentz: readonly [fs: number, ss: number];
  readonly nPeaks: number;
  readonly fs: Float32Array;
  readonly ss: Float32Array;
  readonly intensity: Float32Array;
  /** Host time of analyzePattern alone and including the frame read, ms. */
  readonly analysisMs: number;
  readonly totalMs: number;
  /** Option warnings (unknown keys). */
  readonly warnings: readonly string[];
}

/** Ellipticity & cell plot data (src/main/host/pipeline-geometry.ts). Histograms row-major [nR, nAz]. */
export interface GeometryPlots {
  readonly nPeaks: number;
  readonly nPatterns: number;
  /** Fitted elliptical distortion: axis ratio and angle (deg) with standard errors. */
  readonly ratio: number; readonly angleDeg: number; readonly ratioSigma: number; readonly angleSigmaDeg: number;
  readonly nR: number; readonly nAz: number;
  /** Bin centres: radius px, azimuth deg. */
  readonly radiusPx: Float64Array; readonly azimuthDeg: Float64Array;
  /** Peak counts before / after the ellipticity correction, [nR × nAz]. */
  readonly before: Float64Array; readonly after: Float64Array;
  readonly profileBefore: Float64Array; readonly profileAfter: Float64Array;
  /** Virtual powder and pair-distance curves over 1/d (nm⁻¹) with picked peak positions. */
  readonly powderX: Float64Array; readonly powderY: Float64Array; readonly powderPeaks: Float64Array;
  readonly pairsX: Float64Array; readonly pairsY: Float64Array; readonly pairPeaks: Float64Array;
  /** Predicted line positions of the refined cell, nm⁻¹. */
  readonly cellLines: Float64Array;
  /** Refined a, b, c (Å), α, β, γ (deg), or null without a starting cell. */
  readonly cell: readonly [number, number, number, number, number, number] | null;
  readonly cellParams: readonly { readonly name: string; readonly sigma: number }[];
  readonly source: string;
}

/** Wizard methods (served by src/main/host/pipeline-service.ts). */
export interface PipelineApi {
  pipelineState(params: Record<string, never>): Promise<PipelineState>;
  /** Opens a project (folder or project.yaml); `create` makes it (inputs = the session's dataset files) if missing. "" = the suggested path. */
  pipelineOpen(params: { path: string; create: boolean }): Promise<PipelineState>;
  /** Replaces one step's options in project.yaml (later steps become out of date). */
  pipelineSetOptions(params: { step: string; options: Record<string, unknown> }): Promise<PipelineState>;
  /** Runs the pipeline up to `step` in the background (earlier out-of-date steps first), as `serialed run --until step`. */
  pipelineRun(params: { step: string }): Promise<PipelineState>;
  pipelineCancel(params: Record<string, never>): Promise<PipelineState>;
  pipelineResult(params: { step: string }): Promise<PipelineResult>;
  /** Ellipticity & cell plots from the latest pre-processing run of the open project. */
  pipelineGeometry(params: Record<string, never>): Promise<GeometryPlots>;
  /** Live tuning: pattern analysis of one frame with diffractem options (peak_search_params, centring, …). */
  tuneAnalyze(params: { datasetId: string; shotIndex: number; options: Record<string, unknown> }): Promise<TuneResult>;
}

const pipelineStepState = obj({
  step: str, status: literal("never-run", "up-to-date", "stale", "running", "failed"), options: record(any), custom: bool, engine: literal("builtin", "crystfel"),
  lastRun: nullable(obj({ id: str, state: str, startedAt: str, finishedAt: nullable(str), outputs: arr(str), message: nullable(str) })),
  progress: nullable(obj({ done: num, total: num, note: str })),
});
const pipelineState = obj({
  projectPath: nullable(str), suggestedPath: nullable(str), suggestedExists: bool, name: str, inputs: arr(str),
  steps: arr(pipelineStepState), active: nullable(obj({ step: str })), message: str,
});
const pipelineResult = obj({ step: str, runId: nullable(str), files: arr(str), statsJson: any, crystalsCsv: nullable(str), log: nullable(str), text: nullable(str), crystalsPerChunk: nullable(arr(int(0))), statsHistory: arr(obj({ label: str, json: any })) });
const pipelineMethodSchemas = {
  pipelineState: { params: obj({}), result: pipelineState },
  pipelineOpen: { params: obj({ path: str, create: bool }), result: pipelineState },
  pipelineSetOptions: { params: obj({ step: str, options: record(any) }), result: pipelineState },
  pipelineRun: { params: obj({ step: str }), result: pipelineState },
  pipelineCancel: { params: obj({}), result: pipelineState },
  pipelineResult: { params: obj({ step: str }), result: pipelineResult },
  pipelineGeometry: {
    params: obj({}),
    result: obj({
      nPeaks: int(0), nPatterns: int(0), ratio: num, angleDeg: num, ratioSigma: any, angleSigmaDeg: any, nR: int(1), nAz: int(1),
      radiusPx: typed("Float64Array"), azimuthDeg: typed("Float64Array"), before: typed("Float64Array"), after: typed("Float64Array"),
      profileBefore: typed("Float64Array"), profileAfter: typed("Float64Array"), powderX: typed("Float64Array"), powderY: typed("Float64Array"),
      powderPeaks: typed("Float64Array"), pairsX: typed("Float64Array"), pairsY: typed("Float64Array"), pairPeaks: typed("Float64Array"),
      cellLines: typed("Float64Array"), cell: nullable(tuple(num, num, num, num, num, num)), cellParams: arr(obj({ name: str, sigma: any })), source: str,
    }),
  },
  tuneAnalyze: {
    params: obj({ datasetId: str, shotIndex: int(0, 2 ** 31), options: record(any) }),
    result: obj({
      shotIndex: int(0), centre: tuple(num, num), com: tuple(num, num), lorentz: tuple(num, num), nPeaks: int(0),
      fs: typed("Float32Array"), ss: typed("Float32Array"), intensity: typed("Float32Array"), analysisMs: num, totalMs: num, warnings: arr(str),
    }),
  },
};
const pipelineEventSchemas = {
  pipelineUpdate: obj({ step: str, kind: str, message: str, done: num, total: num }),
};
// ================================================================ wizard / pipeline — end

// ================================================================ engines & backends (issue 9) — begin
/** One CrystFEL program as detected on the host's PATH. */
export interface CrystfelProgramStatus {
  readonly name: string;
  /** Absolute path, or null when not on PATH. */
  readonly path: string | null;
  /** Version from `--version`, or null. */
  readonly version: string | null;
  /** Why a program that was found does not work, or null. */
  readonly problem: string | null;
}

/** A SLURM partition as `sinfo` lists it. */
export interface SlurmPartition {
  readonly name: string;
  /** The cluster's default partition (marked `*` by sinfo). */
  readonly isDefault: boolean;
  /** "up", "down", … */
  readonly availability: string;
  readonly nodes: number;
  /** Node states, e.g. ["idle"] or ["mix", "idle"]. */
  readonly states: readonly string[];
  /** Time limit, e.g. "infinite" or "1-00:00:00". */
  readonly timeLimit: string;
}

/** Why a failed step failed: the job's state, exit reason and the tail of its log (per task for SLURM arrays). */
export interface StepFailure {
  readonly runId: string;
  readonly jobId: string;
  readonly backend: "local" | "slurm";
  readonly slurmJobId: string | null;
  /** Job state: failed, interrupted, cancelled. */
  readonly state: string;
  /** Exit reason in words (SLURM state and exit code for SLURM jobs). */
  readonly reason: string;
  readonly exitCode: number | null;
  readonly logPath: string;
  /** Last lines of the job log. */
  readonly logTail: string;
  /** Failed SLURM (array) tasks: state, reason, exit code, last lines of the task's log. */
  readonly tasks: readonly { readonly task: number; readonly state: string; readonly reason: string; readonly exitCode: number | null; readonly logTail: string }[];
}

/** SLURM resources of a step (sbatch options); absent fields = the cluster's defaults (as kept in the project). */
export type StepResourcesWire = StepResources;

/** Engine / backend choice of one step and what the host can offer for it. */
export interface StepExecution {
  readonly step: string;
  readonly engine: "builtin" | "crystfel";
  readonly backend: "local" | "slurm";
  readonly resources: StepResourcesWire;
  /** CrystFEL program this step runs with engine crystfel, or null when the step has no CrystFEL engine. */
  readonly crystfelProgram: string | null;
  /** The step runs inside another step's job (aggregate, corrections → centre-peaks): its engine/backend are that step's. */
  readonly foldedInto: string | null;
  /** The step can be split into a SLURM job array (resources.arrayTasks). */
  readonly canSplit: boolean;
  /** The latest run failed (or was interrupted): why, with the log tail; else null. */
  readonly failure: StepFailure | null;
}

/** Engines and backends available on this host (cached detection) and every step's choice. */
export interface ExecutionStatus {
  /** ISO time of the detection the answer is based on. */
  readonly detectedAt: string;
  readonly crystfel: {
    /** indexamajig and partialator work. */
    readonly usable: boolean;
    readonly version: string | null;
    readonly programs: readonly CrystfelProgramStatus[];
    /** One-line summary, e.g. "CrystFEL not found on PATH (indexamajig, partialator, …)". */
    readonly message: string;
  };
  readonly slurm: {
    /** `sinfo` answers (a controller is reachable). */
    readonly reachable: boolean;
    readonly partitions: readonly SlurmPartition[];
    /** One-line summary or why it is not reachable (sinfo's error). */
    readonly message: string;
  };
  /** Per step (STEP_ORDER); empty when no project is open. */
  readonly steps: readonly StepExecution[];
}

/** Engine & backend methods (served by src/main/host/execution-service.ts). */
export interface ExecutionApi {
  /** Detected engines/backends (cached; `redetect` runs the detection again) and each step's engine, backend, resources and last failure. */
  pipelineExecution(params: { redetect?: boolean }): Promise<ExecutionStatus>;
  /** Sets one step's engine, backend and SLURM resources in project.yaml (an engine change makes this and later steps out of date). */
  pipelineSetExecution(params: { step: string; engine: "builtin" | "crystfel"; backend: "local" | "slurm"; resources: StepResourcesWire }): Promise<PipelineState>;
}

const stepResourcesWire = obj({
  "partition?": str, "cpus?": int(1, 100_000), "memMb?": int(1, 2 ** 40), "time?": str, "gres?": str, "extraSbatch?": arr(str, 100), "arrayTasks?": int(1, 100_000),
});
const executionStatus = obj({
  detectedAt: str,
  crystfel: obj({ usable: bool, version: nullable(str), programs: arr(obj({ name: str, path: nullable(str), version: nullable(str), problem: nullable(str) })), message: str }),
  slurm: obj({ reachable: bool, partitions: arr(obj({ name: str, isDefault: bool, availability: str, nodes: int(0), states: arr(str), timeLimit: str })), message: str }),
  steps: arr(obj({
    step: str, engine: literal("builtin", "crystfel"), backend: literal("local", "slurm"), resources: stepResourcesWire,
    crystfelProgram: nullable(str), foldedInto: nullable(str), canSplit: bool,
    failure: nullable(obj({
      runId: str, jobId: str, backend: literal("local", "slurm"), slurmJobId: nullable(str), state: str, reason: str, exitCode: nullable(int()), logPath: str, logTail: str,
      tasks: arr(obj({ task: int(0), state: str, reason: str, exitCode: nullable(int()), logTail: str })),
    })),
  })),
});
const executionMethodSchemas = {
  pipelineExecution: { params: obj({ "redetect?": bool }), result: executionStatus },
  pipelineSetExecution: { params: obj({ step: str, engine: literal("builtin", "crystfel"), backend: literal("local", "slurm"), resources: stepResourcesWire }), result: pipelineState },
};
// ================================================================ engines & backends — end

/** Every request the renderer can make. Paths are host file paths. */
export interface HostApi extends PipelineApi, ExecutionApi {
  /** Datasets opened at launch (CLI paths / Electron dialog) and the host mode. */
  getSession(params: Record<string, never>): Promise<SessionInfo>;
  /** Opens NeXus .h5/.nxs files, a .lst, a glob, a CrystFEL .stream and optionally a .geom, as one dataset. Only paths the user opened are allowed. */
  openDataset(params: { paths: string[] }): Promise<DatasetSummary>;
  /** Electron only: shows a file-open dialog and opens the choice (null if cancelled). */
  pickAndOpen(params: Record<string, never>): Promise<DatasetSummary | null>;
  closeDataset(params: { datasetId: DatasetId }): Promise<void>;
  /** Shot-table columns (all rows); `columns` omitted = all. */
  getShots(params: { datasetId: DatasetId; columns?: string[] }): Promise<{ nShots: number; columns: Record<string, ShotColumn> }>;
  /** Evaluates a dataset query (e.g. `num_peaks >= 15 and frame > 0`) to a shot mask. */
  query(params: { datasetId: DatasetId; expr: string }): Promise<QueryResult>;
  /** One diffraction frame, binary. */
  readFrame(params: { datasetId: DatasetId; shotIndex: number }): Promise<FrameImage>;
  getPeaks(params: { datasetId: DatasetId; shotIndex: number }): Promise<PeakList>;
  /** Stream chunk of a shot, or null if the shot has no chunk. */
  getStreamChunk(params: { datasetId: DatasetId; shotIndex: number }): Promise<StreamShotInfo | null>;
  /** STEM map of one file of the dataset, or null if it has none. */
  getMapImage(params: { datasetId: DatasetId; fileIndex: number }): Promise<MapImage | null>;
}

/** Events pushed by the host. */
export interface HostEvents {
  jobProgress: { jobId: string; done: number; total: number; message: string };
  datasetOpened: { summary: DatasetSummary };
  log: { level: "info" | "warn" | "error"; message: string };
  /** Wizard: a pipeline step started/progressed/finished (kind: start|progress|skip|finish|done). */
  pipelineUpdate: { step: string; kind: string; message: string; done: number; total: number };
}

export type MethodName = keyof HostApi;
export type EventName = keyof HostEvents;
export type ParamsOf<M extends MethodName> = Parameters<HostApi[M]>[0];
export type ResultOf<M extends MethodName> = Awaited<ReturnType<HostApi[M]>>;

// ---------------------------------------------------------------- runtime schemas
const id = str;
const shotIdx = int(0, 2 ** 31);
const vec3 = tuple(num, num, num);
const f32 = typed("Float32Array");
const columnKind = literal("float", "int", "bool", "string");
const geometry = obj({ wavelengthAngstrom: num, cameraLengthM: num, pixelSizeM: num, beamCentreCxi: nullable(tuple(num, num)), source: str });
const streamSummary = obj({ path: str, nChunks: int(0), nIndexedChunks: int(0), nCrystals: int(0), indexingMethods: str, problems: arr(str) });
const summary = obj({
  datasetId: id, label: str, files: arr(str), nShots: int(0), columns: arr(obj({ name: str, type: columnKind })),
  frameShape: nullable(tuple(int(1), int(1))), stackLabel: nullable(str), hasCxiPeaks: bool,
  map: nullable(obj({ shape: tuple(int(1), int(1)), pixelSizeUm: nullable(num) })), nCrystals: int(0), geometry, stream: nullable(streamSummary),
});
const numColumn = obj({ type: literal("float", "int"), data: typed("Float64Array") });
const shotColumn = variant("type", {
  float: numColumn, int: numColumn,
  bool: obj({ type: literal("bool"), data: typed("Uint8Array") }),
  string: obj({ type: literal("string"), data: arr(str) }),
});
const frame = obj({
  shotIndex: shotIdx, shape: tuple(int(1), int(1)), dtype: str,
  pixels: typed("Float32Array", "Uint16Array", "Int32Array", "Uint32Array", "Int16Array", "Uint8Array", "Float64Array"),
});
const peaks = obj({ shotIndex: shotIdx, source: literal("cxi", "stream", "none"), count: int(0), fs: f32, ss: f32, intensity: f32 });
const crystal = obj({
  astar: vec3, bstar: vec3, cstar: vec3, cell: tuple(num, num, num, num, num, num), lattice: str, centering: str, uniqueAxis: str,
  resolutionLimitAngstrom: nullable(num), profileRadiusInvNm: nullable(num), detShiftMm: tuple(num, num), nReflections: int(0),
  predicted: obj({ fs: f32, ss: f32, intensity: f32 }),
});
const streamShot = obj({
  shotIndex: shotIdx, chunkIndex: int(0), filename: str, event: str, indexedBy: str, hit: nullable(bool), nPeaks: int(0),
  crystals: arr(crystal), error: nullable(str),
});
const mapImage = obj({
  fileIndex: int(0), shape: tuple(int(1), int(1)), data: f32, pixelSizeUm: nullable(num),
  crystals: obj({ id: typed("Float64Array"), x: typed("Float64Array"), y: typed("Float64Array") }),
});
const empty = obj({});
const voidResult: Check = (v, p) => (v === undefined || v === null ? null : `${p}: expected nothing`);

/** Params and result schema of every method; the client and both bridges iterate over this list. */
export const methodSchemas: { readonly [M in MethodName]: { readonly params: Check; readonly result: Check } } = {
  getSession: { params: empty, result: obj({ mode: literal("web", "electron"), version: str, datasets: arr(summary) }) },
  openDataset: { params: obj({ paths: arr(str, 10_000) }), result: summary },
  pickAndOpen: { params: empty, result: nullable(summary) },
  closeDataset: { params: obj({ datasetId: id }), result: voidResult },
  getShots: { params: obj({ datasetId: id, "columns?": arr(str) }), result: obj({ nShots: int(0), columns: record(shotColumn) }) },
  query: {
    params: obj({ datasetId: id, expr: str }),
    result: variant("ok", { true: obj({ ok: literal(true), mask: typed("Uint8Array"), count: int(0) }), false: obj({ ok: literal(false), message: str, position: int(0) }) }),
  },
  readFrame: { params: obj({ datasetId: id, shotIndex: shotIdx }), result: frame },
  getPeaks: { params: obj({ datasetId: id, shotIndex: shotIdx }), result: peaks },
  getStreamChunk: { params: obj({ datasetId: id, shotIndex: shotIdx }), result: nullable(streamShot) },
  getMapImage: { params: obj({ datasetId: id, fileIndex: int(0) }), result: nullable(mapImage) },
  ...pipelineMethodSchemas,
  ...executionMethodSchemas,
};

export const eventSchemas: { readonly [E in EventName]: Check } = {
  jobProgress: obj({ jobId: str, done: num, total: num, message: str }),
  datasetOpened: obj({ summary }),
  log: obj({ level: literal("info", "warn", "error"), message: str }),
  ...pipelineEventSchemas,
};

export const methodNames = Object.keys(methodSchemas) as MethodName[];
export const eventNames = Object.keys(eventSchemas) as EventName[];

export const isMethodName = (m: unknown): m is MethodName => typeof m === "string" && Object.hasOwn(methodSchemas, m);
export const isEventName = (m: unknown): m is EventName => typeof m === "string" && Object.hasOwn(eventSchemas, m);

/** Throws `Error("invalid <what> for <method>: <path>: <problem>")` unless `params` fit the method. */
export function validateParams<M extends MethodName>(method: M, params: unknown): ParamsOf<M> {
  const e = methodSchemas[method].params(params, "params");
  if (e) throw new Error(`invalid request for ${method}: ${e}`);
  return params as ParamsOf<M>;
}

export function validateResult<M extends MethodName>(method: M, result: unknown): ResultOf<M> {
  const e = methodSchemas[method].result(result, "result");
  if (e) throw new Error(`invalid response from ${method}: ${e}`);
  return result as ResultOf<M>;
}

export function validateEvent<E extends EventName>(event: E, payload: unknown): HostEvents[E] {
  const e = eventSchemas[event](payload, "payload");
  if (e) throw new Error(`invalid event ${event}: ${e}`);
  return payload as HostEvents[E];
}

// ---------------------------------------------------------------- envelopes (shared by both transports)
export interface RequestMessage { readonly type: "request"; readonly id: number; readonly method: MethodName; readonly params: unknown }
export type ResponseMessage =
  | { readonly type: "response"; readonly id: number; readonly ok: true; readonly result: unknown }
  | { readonly type: "response"; readonly id: number; readonly ok: false; readonly error: string };
export interface EventMessage { readonly type: "event"; readonly event: EventName; readonly payload: unknown }
export type AnyMessage = RequestMessage | ResponseMessage | EventMessage;

const requestEnvelope = obj({ type: literal("request"), id: int(0), method: str, params: any });
const responseEnvelope = variant("ok", {
  true: obj({ type: literal("response"), id: int(0), ok: literal(true), result: any }),
  false: obj({ type: literal("response"), id: int(0), ok: literal(false), error: str }),
});
const eventEnvelope = obj({ type: literal("event"), event: str, payload: any });

/** Validates an incoming request envelope and its params; throws a clear Error otherwise. */
export function parseRequest(msg: unknown): RequestMessage {
  const e = requestEnvelope(msg, "message");
  if (e) throw new Error(`malformed request: ${e}`);
  const m = msg as RequestMessage;
  if (!isMethodName(m.method)) throw new Error(`unknown method '${String(m.method)}'`);
  validateParams(m.method, m.params);
  return m;
}

/** Validates a response or event envelope (payload checked by the client, which knows the method). */
export function parseHostMessage(msg: unknown): ResponseMessage | EventMessage {
  if (typeof msg === "object" && msg !== null && (msg as { type?: unknown }).type === "event") {
    const e = eventEnvelope(msg, "message");
    if (e) throw new Error(`malformed event: ${e}`);
    const ev = msg as EventMessage;
    if (!isEventName(ev.event)) throw new Error(`unknown event '${String(ev.event)}'`);
    validateEvent(ev.event, ev.payload);
    return ev;
  }
  const e = responseEnvelope(msg, "message");
  if (e) throw new Error(`malformed response: ${e}`);
  return msg as ResponseMessage;
}
