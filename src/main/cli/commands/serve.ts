/** `serialed serve`: the viewer in the browser (host on 127.0.0.1 with a per-launch token). */
import { getNumber, parseArgs } from "../args.ts";
import { serveDatasets } from "../../web/serve-app.ts";

export const summary = "View datasets in the browser (local web host on 127.0.0.1)";
export const usage = `Usage: serialed serve [PATH…] [--port N]

Opens HDF5 files (.h5/.nxs), .lst lists, globs ("data/*.h5"), a CrystFEL .stream and a .geom
as one dataset and serves the viewer on http://127.0.0.1:PORT/?token=… (printed).
Only 127.0.0.1 is bound; a random token is required for every request and other origins are refused.
The viewer can read only the files given here and the files they reference (.lst entries, the
image files named in a stream).

Options:
  --port N    port to listen on (default: a free port)
  --build     rebuild the viewer (vite) even if dist/renderer exists
`;

export async function run(args: string[]): Promise<number> {
  const p = parseArgs(args, { port: { value: true }, build: { value: false } });
  const port = getNumber(p, "port", 0, { integer: true, min: 0 });
  if (p.flags.has("build")) await (await import("../../web/serve-app.ts")).ensureRendererBuilt(true, (s) => console.error(s));
  const h = await serveDatasets(p.positional, { port, log: (s) => console.error(s) });
  console.log(`serialed viewer: ${h.server.url}`);
  console.log("Press Ctrl-C to stop.");
  await new Promise<void>((res) => { process.once("SIGINT", res); process.once("SIGTERM", res); });
  await h.close();
  return 0;
}
