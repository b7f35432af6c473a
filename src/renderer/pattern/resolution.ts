/** Detector-pixel ↔ resolution conversions for a flat detector normal to the beam. */
import type { GeometryInfo } from "../../core/api/host-api.ts";

/** Resolution d (Å) of a point `radiusPx` pixels from the beam, or null at the centre. */
export function resolutionAtRadiusAngstrom(radiusPx: number, g: GeometryInfo): number | null {
  if (radiusPx <= 0) return null;
  const twoTheta = Math.atan((radiusPx * g.pixelSizeM) / g.cameraLengthM);
  return g.wavelengthAngstrom / (2 * Math.sin(twoTheta / 2));
}

/** Radius (px) of the ring of resolution d (Å). */
export function radiusForResolutionPx(dAngstrom: number, g: GeometryInfo): number {
  const s = g.wavelengthAngstrom / (2 * dAngstrom);
  if (s >= 1) return Infinity;
  return (g.cameraLengthM * Math.tan(2 * Math.asin(s))) / g.pixelSizeM;
}

/** Rings at "round" resolutions that fall on a detector of the given shape around the centre. */
export function ringRadii(g: GeometryInfo, centre: readonly [number, number], shape: readonly [number, number]): { dAngstrom: number; radiusPx: number }[] {
  const [ss, fs] = shape;
  const maxR = Math.max(Math.hypot(centre[0], centre[1]), Math.hypot(fs - centre[0], centre[1]), Math.hypot(centre[0], ss - centre[1]), Math.hypot(fs - centre[0], ss - centre[1]));
  return [20, 10, 5, 4, 3, 2.5, 2, 1.5, 1.2, 1, 0.8]
    .map((d) => ({ dAngstrom: d, radiusPx: radiusForResolutionPx(d, g) }))
    .filter((r) => r.radiusPx > 15 && r.radiusPx < maxR);
}
