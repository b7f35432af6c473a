/**
 * The few C printf conversions CrystFEL uses in its text files (%Nd, %N.Mf, %+N.Mf, %.Ne),
 * reproduced so that our writers emit the same bytes as CrystFEL.
 */

/** C `%[+][width].[prec]f`: right-aligned, "-0.00" for negative zero, "inf"/"nan" like glibc. */
export function cFixed(x: number, width: number, prec: number, plus = false): string {
  let s: string;
  if (Number.isNaN(x)) s = "nan";
  else if (!Number.isFinite(x)) s = x > 0 ? (plus ? "+inf" : "inf") : "-inf";
  else {
    s = x.toFixed(prec);
    if (Object.is(x, -0) || (x < 0 && !s.startsWith("-"))) s = "-" + s;
    if (plus && !s.startsWith("-")) s = "+" + s;
  }
  return s.length >= width ? s : " ".repeat(width - s.length) + s;
}

/** C `%[width]i` for an integer value. */
export function cInt(x: number, width: number): string {
  const s = String(Math.trunc(x));
  return s.length >= width ? s : " ".repeat(width - s.length) + s;
}

/** C `%.[prec]e` (two-digit exponent minimum, e.g. `1.00e-08`). */
export function cExp(x: number, prec: number): string {
  if (!Number.isFinite(x)) return cFixed(x, 0, 0);
  const s = x.toExponential(prec);
  const m = /^(-?[\d.]+)e([+-])(\d+)$/.exec(s);
  if (!m) return s;
  return `${m[1]}e${m[2]}${m[3]!.padStart(2, "0")}`;
}
