/**
 * diffractem's `stacks_to_shots` (data-model.md §7.9): copies 1-D stacks (one value per shot, e.g.
 * nPeaks) into shot-table columns, reading them through the open dataset.
 */
import type { Dataset } from "../../core/dataset/dataset.ts";
import { withColumn } from "../../core/dataset/table-ops.ts";
import type { OpenDataset } from "./open-dataset.ts";

/** Returns `ds` with one column per label (named after the stack unless `names` maps it). */
export function stacksToShots(od: OpenDataset, ds: Dataset, labels: readonly string[], names: Readonly<Record<string, string>> = {}): Dataset {
  let shots = ds.shots;
  for (const label of labels) {
    const st = ds.stacks.get(label);
    if (!st) throw new Error(`stacksToShots: no stack '${label}'`);
    if (st.shotShape.length !== 0) throw new Error(`stacksToShots: stack '${label}' has shape [${st.shotShape.join(", ")}] per shot; only 1-D stacks (one value per shot) can become columns`);
    const data = new Float64Array(ds.shots.length);
    for (let i = 0; i < data.length; i++) data[i] = Number(od.readStackRow(label, i, ds).data[0]);
    const integral = /[iu]\d$/.test(st.dtype);
    shots = withColumn(shots, names[label] ?? label, { type: integral ? "int" : "float", data });
  }
  return { ...ds, shots };
}
