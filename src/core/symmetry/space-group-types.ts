/** One row of the generated space-group table (src/core/symmetry/space-group-table.ts). */
export interface SpaceGroupEntry {
  /** International Tables number, 1–230. */
  readonly number: number;
  /** CCP4 symmetry number (number, or 1000+number for non-standard settings such as R axes). */
  readonly ccp4: number;
  /** Hermann–Mauguin symbol with spaces, e.g. "P 43 21 2". */
  readonly hm: string;
  /** Extended H–M symbol with setting suffix, e.g. "R 3:H". */
  readonly xhm: string;
  /** Short name without spaces, e.g. "P43212". */
  readonly short: string;
  readonly hall: string;
  /** Point group in gemmi notation ("422", "-3m", …). */
  readonly pointGroup: string;
  readonly system: string;
  /** All symmetry operators (centring translations included), real-space "x,y,z" triplets. */
  readonly ops: readonly string[];
}
