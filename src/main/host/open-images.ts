/**
 * Opens image files for the viewer. Uses the stand-in reader until helper "data"'s openDataset
 * (src/main/dataset/open-dataset.ts) lands; then this is the one place to switch.
 */
import type { ImageDataset } from "./image-dataset.ts";
import { openStandinH5 } from "./standin-h5.ts";

export function openImageDataset(files: readonly string[]): Promise<ImageDataset> {
  return openStandinH5(files);
}
