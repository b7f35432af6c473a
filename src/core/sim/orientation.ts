/** Random rotations for the simulator (uniform on SO(3), Shoemake 1992). */
import type { Mat3, Vec3 } from "../geometry/vec3.ts";
import { matVec } from "../geometry/vec3.ts";
import type { ReciprocalBasis } from "../geometry/cell.ts";
import type { Rng } from "./rng.ts";

/** Rotation matrix of a unit quaternion (w, x, y, z). */
export function quaternionToMatrix(w: number, x: number, y: number, z: number): Mat3 {
  return [
    [1 - 2 * (y * y + z * z), 2 * (x * y - w * z), 2 * (x * z + w * y)],
    [2 * (x * y + w * z), 1 - 2 * (x * x + z * z), 2 * (y * z - w * x)],
    [2 * (x * z - w * y), 2 * (y * z + w * x), 1 - 2 * (x * x + y * y)],
  ];
}

/** Uniformly distributed random rotation. */
export function randomRotation(rng: Rng): Mat3 {
  const u1 = rng.uniform(), u2 = rng.uniform(), u3 = rng.uniform();
  const a = Math.sqrt(1 - u1), b = Math.sqrt(u1);
  return quaternionToMatrix(b * Math.cos(2 * Math.PI * u3), a * Math.sin(2 * Math.PI * u2), a * Math.cos(2 * Math.PI * u2), b * Math.sin(2 * Math.PI * u3));
}

/** Rotate every vector of a reciprocal basis: v → U·v. */
export function rotateBasis(u: Mat3, r: ReciprocalBasis): ReciprocalBasis {
  const rot = (v: Vec3): Vec3 => matVec(u, v);
  return { astar: rot(r.astar), bstar: rot(r.bstar), cstar: rot(r.cstar) };
}
