/** Small 3-vector / 3x3 matrix helpers (row-major tuples). */
export type Vec3 = readonly [x: number, y: number, z: number];
/** Rows of a 3x3 matrix. */
export type Mat3 = readonly [Vec3, Vec3, Vec3];

export const dot = (a: Vec3, b: Vec3): number => a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
export const cross = (a: Vec3, b: Vec3): Vec3 => [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];
export const norm = (a: Vec3): number => Math.hypot(a[0], a[1], a[2]);
export const scale = (a: Vec3, s: number): Vec3 => [a[0] * s, a[1] * s, a[2] * s];
export const add = (a: Vec3, b: Vec3): Vec3 => [a[0] + b[0], a[1] + b[1], a[2] + b[2]];
export const sub = (a: Vec3, b: Vec3): Vec3 => [a[0] - b[0], a[1] - b[1], a[2] - b[2]];

export function matVec(m: Mat3, v: Vec3): Vec3 {
  return [dot(m[0], v), dot(m[1], v), dot(m[2], v)];
}
export function transpose(m: Mat3): Mat3 {
  return [[m[0][0], m[1][0], m[2][0]], [m[0][1], m[1][1], m[2][1]], [m[0][2], m[1][2], m[2][2]]];
}
export function matMul(a: Mat3, b: Mat3): Mat3 {
  const bt = transpose(b);
  return [[dot(a[0], bt[0]), dot(a[0], bt[1]), dot(a[0], bt[2])], [dot(a[1], bt[0]), dot(a[1], bt[1]), dot(a[1], bt[2])], [dot(a[2], bt[0]), dot(a[2], bt[1]), dot(a[2], bt[2])]];
}
export function det(m: Mat3): number {
  return dot(m[0], cross(m[1], m[2]));
}
/** Inverse of a 3x3 matrix; throws on a singular matrix. */
export function inverse(m: Mat3): Mat3 {
  const d = det(m);
  if (!Number.isFinite(d) || Math.abs(d) < 1e-300) throw new Error("singular 3x3 matrix");
  const c0 = cross(m[1], m[2]);
  const c1 = cross(m[2], m[0]);
  const c2 = cross(m[0], m[1]);
  // columns of the inverse are the cofactor rows / det
  return transpose([scale(c0, 1 / d), scale(c1, 1 / d), scale(c2, 1 / d)]);
}
