/**
 * Crystallographic symmetry operators in "x,y,z" triplet form. Rotation part is an integer 3×3 matrix
 * acting on fractional coordinates (column vector), translation in units of 1/12 (exact for all
 * crystallographic translations).
 */

export interface SymOp {
  /** Row-major 3×3 integer rotation W: x' = W·x + t. */
  readonly rot: readonly number[];
  /** Translation t in twelfths of a cell edge, each in [0, 12). */
  readonly trans12: readonly [number, number, number];
}

const AXES = ["x", "y", "z"] as const;

/** Parses one "x,y,z"-style triplet, e.g. "-y+1/2,x-y,z+3/4" (case-insensitive, spaces allowed). */
export function parseSymOp(text: string): SymOp {
  const parts = text.toLowerCase().replace(/\s+/g, "").split(",");
  if (parts.length !== 3) throw new Error(`symmetry operator "${text}": expected three comma-separated parts`);
  const rot: number[] = [];
  const trans: number[] = [];
  for (const part of parts) {
    const row = [0, 0, 0];
    let t = 0;
    const terms = part.match(/[+-]?[^+-]+/g);
    if (terms === null) throw new Error(`symmetry operator "${text}": empty part`);
    for (const term of terms) {
      const sign = term.startsWith("-") ? -1 : 1;
      const body = term.replace(/^[+-]/, "");
      const axis = AXES.indexOf(body.slice(-1) as (typeof AXES)[number]);
      if (axis >= 0) {
        const coef = body.length > 1 ? Number(body.slice(0, -1).replace("*", "")) : 1;
        if (!Number.isFinite(coef)) throw new Error(`symmetry operator "${text}": bad term "${term}"`);
        row[axis] = (row[axis] ?? 0) + sign * coef;
      } else {
        const m = /^(\d+)(?:\/(\d+))?$/.exec(body);
        if (m === null) throw new Error(`symmetry operator "${text}": bad term "${term}"`);
        t += (sign * Number(m[1]) * 12) / Number(m[2] ?? 1);
      }
    }
    rot.push(...row);
    trans.push((((Math.round(t) % 12) + 12) % 12));
  }
  return { rot, trans12: [trans[0]!, trans[1]!, trans[2]!] };
}

/** Formats an operator as an upper-case triplet ("-Y+1/2,X+1/2,Z+3/4"), the form of MTZ SYMM records. */
export function formatSymOp(op: SymOp, upper = true): string {
  const parts: string[] = [];
  for (let r = 0; r < 3; r++) {
    let s = "";
    for (let c = 0; c < 3; c++) {
      const v = op.rot[r * 3 + c]!;
      if (v === 0) continue;
      const name = AXES[c]!;
      s += (v < 0 ? "-" : s === "" ? "" : "+") + (Math.abs(v) === 1 ? "" : String(Math.abs(v))) + name;
    }
    const t = op.trans12[r] ?? 0;
    if (t !== 0) {
      const g = gcd(t, 12);
      s += `+${t / g}/${12 / g}`;
    }
    parts.push(s === "" ? "0" : s);
  }
  const out = parts.join(",");
  return upper ? out.toUpperCase() : out;
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

/** Product of two rotation matrices (row-major 3×3). */
export function mulRot(a: readonly number[], b: readonly number[]): number[] {
  const out = new Array<number>(9).fill(0);
  for (let i = 0; i < 3; i++) {
    for (let j = 0; j < 3; j++) {
      let s = 0;
      for (let k = 0; k < 3; k++) s += a[i * 3 + k]! * b[k * 3 + j]!;
      out[i * 3 + j] = s;
    }
  }
  return out;
}

/** Closure of a set of rotation matrices under multiplication (identity included). */
export function closeRotations(generators: readonly (readonly number[])[]): number[][] {
  const key = (m: readonly number[]): string => m.join(",");
  const out: number[][] = [[1, 0, 0, 0, 1, 0, 0, 0, 1]];
  const seen = new Set(out.map(key));
  for (let i = 0; i < out.length; i++) {
    for (const g of generators) {
      const p = mulRot(out[i]!, g);
      if (!seen.has(key(p))) {
        seen.add(key(p));
        out.push(p);
      }
      if (out.length > 48) throw new Error("symmetry generators do not form a crystallographic point group");
    }
  }
  return out;
}
