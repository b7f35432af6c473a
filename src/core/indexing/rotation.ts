/**
 * Rotations as row-major 3×3 arrays (length 9, `v' = R v`), optimal superposition (Horn's quaternion
 * method) and angle helpers. Pure, allocation-light: used in the indexing hot loop.
 */

/** Row-major 3×3 matrix, length 9. */
export type Mat9 = Float64Array;

export function identity9(): Mat9 {
  return Float64Array.of(1, 0, 0, 0, 1, 0, 0, 0, 1);
}

export function mul9(a: ArrayLike<number>, b: ArrayLike<number>): Mat9 {
  const o = new Float64Array(9);
  for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) o[3 * i + j] = a[3 * i]! * b[j]! + a[3 * i + 1]! * b[3 + j]! + a[3 * i + 2]! * b[6 + j]!;
  return o;
}

export function transpose9(a: ArrayLike<number>): Mat9 {
  return Float64Array.of(a[0]!, a[3]!, a[6]!, a[1]!, a[4]!, a[7]!, a[2]!, a[5]!, a[8]!);
}

export function det9(a: ArrayLike<number>): number {
  return a[0]! * (a[4]! * a[8]! - a[5]! * a[7]!) - a[1]! * (a[3]! * a[8]! - a[5]! * a[6]!) + a[2]! * (a[3]! * a[7]! - a[4]! * a[6]!);
}

/** Inverse of a 3×3 matrix; throws if singular. */
export function inverse9(a: ArrayLike<number>): Mat9 {
  const d = det9(a);
  if (!Number.isFinite(d) || Math.abs(d) < 1e-300) throw new Error("singular 3x3 matrix");
  const o = new Float64Array(9);
  o[0] = (a[4]! * a[8]! - a[5]! * a[7]!) / d;
  o[1] = (a[2]! * a[7]! - a[1]! * a[8]!) / d;
  o[2] = (a[1]! * a[5]! - a[2]! * a[4]!) / d;
  o[3] = (a[5]! * a[6]! - a[3]! * a[8]!) / d;
  o[4] = (a[0]! * a[8]! - a[2]! * a[6]!) / d;
  o[5] = (a[2]! * a[3]! - a[0]! * a[5]!) / d;
  o[6] = (a[3]! * a[7]! - a[4]! * a[6]!) / d;
  o[7] = (a[1]! * a[6]! - a[0]! * a[7]!) / d;
  o[8] = (a[0]! * a[4]! - a[1]! * a[3]!) / d;
  return o;
}

/** Rotation angle (degrees) of a rotation matrix. */
export function rotationAngleDeg(r: ArrayLike<number>): number {
  const c = Math.max(-1, Math.min(1, (r[0]! + r[4]! + r[8]! - 1) / 2));
  return (Math.acos(c) * 180) / Math.PI;
}

/** Rotation matrix of a unit quaternion (w, x, y, z). */
export function quatToMat9(w: number, x: number, y: number, z: number): Mat9 {
  const n = Math.hypot(w, x, y, z);
  w /= n; x /= n; y /= n; z /= n;
  return Float64Array.of(
    1 - 2 * (y * y + z * z), 2 * (x * y - w * z), 2 * (x * z + w * y),
    2 * (x * y + w * z), 1 - 2 * (x * x + z * z), 2 * (y * z - w * x),
    2 * (x * z - w * y), 2 * (y * z + w * x), 1 - 2 * (x * x + y * y),
  );
}

/** Rotation by `angleRad` about a unit axis. */
export function axisAngle9(ax: number, ay: number, az: number, angleRad: number): Mat9 {
  const n = Math.hypot(ax, ay, az);
  const s = Math.sin(angleRad / 2) / n;
  return quatToMat9(Math.cos(angleRad / 2), ax * s, ay * s, az * s);
}

const N4 = new Float64Array(16);
const V4 = new Float64Array(16);

/** Jacobi eigen-decomposition of the symmetric 4×4 in N4; eigenvectors in columns of V4. Returns index of max eigenvalue. */
function jacobi4(): number {
  const a = N4, v = V4;
  v.fill(0);
  v[0] = v[5] = v[10] = v[15] = 1;
  for (let sweep = 0; sweep < 30; sweep++) {
    let off = 0;
    for (let p = 0; p < 3; p++) for (let q = p + 1; q < 4; q++) off += a[4 * p + q]! * a[4 * p + q]!;
    if (off < 1e-22) break;
    for (let p = 0; p < 3; p++) {
      for (let q = p + 1; q < 4; q++) {
        const apq = a[4 * p + q]!;
        if (Math.abs(apq) < 1e-300) continue;
        const app = a[5 * p]!, aqq = a[5 * q]!;
        const theta = (aqq - app) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1), s = t * c;
        for (let k = 0; k < 4; k++) {
          const akp = a[4 * k + p]!, akq = a[4 * k + q]!;
          a[4 * k + p] = c * akp - s * akq;
          a[4 * k + q] = s * akp + c * akq;
        }
        for (let k = 0; k < 4; k++) {
          const apk = a[4 * p + k]!, aqk = a[4 * q + k]!;
          a[4 * p + k] = c * apk - s * aqk;
          a[4 * q + k] = s * apk + c * aqk;
        }
        for (let k = 0; k < 4; k++) {
          const vkp = v[4 * k + p]!, vkq = v[4 * k + q]!;
          v[4 * k + p] = c * vkp - s * vkq;
          v[4 * k + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  let best = 0;
  for (let i = 1; i < 4; i++) if (a[5 * i]! > a[5 * best]!) best = i;
  return best;
}

/**
 * Proper rotation R minimising Σ |R p_i − q_i|² given the correlation S = Σ p_i q_iᵀ
 * (row-major, S[3a+b] = Σ p_a q_b). Horn (1987) closed form.
 */
export function rotationFromCorrelation(S: ArrayLike<number>): Mat9 {
  const sxx = S[0]!, sxy = S[1]!, sxz = S[2]!, syx = S[3]!, syy = S[4]!, syz = S[5]!, szx = S[6]!, szy = S[7]!, szz = S[8]!;
  const n = N4;
  n[0] = sxx + syy + szz; n[1] = syz - szy; n[2] = szx - sxz; n[3] = sxy - syx;
  n[5] = sxx - syy - szz; n[6] = sxy + syx; n[7] = szx + sxz;
  n[10] = -sxx + syy - szz; n[11] = syz + szy;
  n[15] = -sxx - syy + szz;
  n[4] = n[1]; n[8] = n[2]; n[12] = n[3]; n[9] = n[6]; n[13] = n[7]; n[14] = n[11];
  const b = jacobi4();
  return quatToMat9(V4[b]!, V4[4 + b]!, V4[8 + b]!, V4[12 + b]!);
}

/** Deterministic uniform random rotation from three uniforms in [0,1) (Shoemake). */
export function randomRotation9(u1: number, u2: number, u3: number): Mat9 {
  const a = Math.sqrt(1 - u1), b = Math.sqrt(u1);
  return quatToMat9(a * Math.sin(2 * Math.PI * u2), a * Math.cos(2 * Math.PI * u2), b * Math.sin(2 * Math.PI * u3), b * Math.cos(2 * Math.PI * u3));
}
