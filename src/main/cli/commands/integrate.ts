/** `serialed integrate`: re-integrate with known orientations (.sol), e.g. other dose fractions. */
import { commonOptionsHelp, runIndexCli } from "../../indexing/index-cli.ts";

export const summary = "Integrate with orientations from a .sol (dose fractions: --frames a-b) → .stream";
export const usage = `Usage: serialed integrate --sol run.sol --geom g.geom --cell c.cell --out int.stream [--frames 1-4] [options] INPUT…

Predicts and integrates (ring summation) the crystals of a solution file on the INPUT frames.
Shots whose (file, event) appear in the .sol use their lines directly. With --frames a-b (and shot
tables with region, run, crystal_id, frame in the files), each crystal's solution is broadcast to
all of its shots with frame in a..b, whose frames are summed first: the exposure (dose fraction)
can be chosen after indexing an aggregated set. The .sol's own file must be among the INPUTs (or
be the same file) so that its events can be mapped to crystal ids.

Options:
  --sol FILE             solution file (from serialed index or stream2sol)
  --frames A-B           sum frames A..B of each crystal before integrating
${commonOptionsHelp}
`;

export function run(args: string[]): Promise<number> {
  return runIndexCli(args, "integrate", usage);
}
