/** Shared e2e helpers: start `serialed serve` as a real subprocess, launch Debian chromium headless. */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium, type BrowserContext, type Page } from "playwright-core";

export const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const shotsDir = join(root, "test-output", "e2e");

export interface Served { url: string; port: number; token: string; proc: ChildProcess; stop(): Promise<void> }

/** Runs `node bin/serialed.mjs serve ...paths` and waits for the printed URL. */
export function startServe(paths: string[], extra: string[] = []): Promise<Served> {
  const proc = spawn(process.execPath, [join(root, "bin", "serialed.mjs"), "serve", ...paths, ...extra], { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
  let out = "", err = "";
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { proc.kill(); reject(new Error(`serve did not start in 90 s:\n${out}\n${err}`)); }, 90_000);
    proc.stderr!.on("data", (d: Buffer) => { err += d.toString(); });
    proc.stdout!.on("data", (d: Buffer) => {
      out += d.toString();
      // the whole line: stdout may arrive in pieces, and a token cut short would be refused (403)
      const m = /(http:\/\/127\.0\.0\.1:(\d+)\/\?token=([0-9a-f]+))\s/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({
          url: m[1]!, port: Number(m[2]), token: m[3]!, proc,
          stop: () => new Promise((res) => { if (proc.exitCode !== null) { res(); return; } proc.once("exit", () => res()); proc.kill("SIGINT"); }),
        });
      }
    });
    proc.once("exit", (code) => { clearTimeout(timer); reject(new Error(`serve exited with ${code}:\n${out}\n${err}`)); });
  });
}

export async function launchBrowser(): Promise<BrowserContext> {
  return chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), "pw-")), {
    executablePath: "/usr/bin/chromium", headless: true,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--enable-unsafe-swiftshader"],
    viewport: { width: 1400, height: 1000 },
  });
}

/** Console errors of a page, minus the known noise (favicon, GPU stall messages). */
export function collectErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on("console", (m) => { if (m.type() === "error" && !/favicon|GPU stall|ReadPixels/.test(m.text())) errors.push(m.text()); });
  page.on("pageerror", (e) => errors.push(String(e)));
  return errors;
}

/** Opens the viewer and waits until the dataset is loaded and the first frame rendered. */
export async function openViewer(page: Page, url: string): Promise<void> {
  const res = await page.goto(url);
  if (res && res.status() !== 200) throw new Error(`viewer page answered ${res.status()}: ${await res.text()}`);
  const consoleLines: string[] = [];
  const onConsole = (m: { type(): string; text(): string }): void => { consoleLines.push(`${m.type()}: ${m.text()}`); };
  page.on("console", onConsole);
  try {
    await page.waitForFunction(() => { const h = (window as unknown as { __serialed?: { ready?: boolean; renderedShot?: number; error?: string } }).__serialed; return Boolean(h?.error) || (h?.ready === true && h.renderedShot !== undefined); }, null, { timeout: 150_000 });
  } catch (e) {
    // say where it stopped: the hook's state, the status line and what the page logged
    const where = await page.evaluate(() => {
      const h = (window as unknown as { __serialed?: { ready?: boolean; renderedShot?: number } }).__serialed;
      return `ready=${String(h?.ready)} renderedShot=${String(h?.renderedShot)} status=${document.querySelector("[data-testid=status]")?.textContent ?? "?"}`;
    }).catch((x: unknown) => `page not answering: ${String(x)}`);
    throw new Error(`viewer did not show a frame: ${where}; console: ${consoleLines.slice(-10).join(" | ") || "(nothing)"}; ${String(e)}`, { cause: e });
  } finally {
    page.off("console", onConsole);
  }
  const err = await page.evaluate(() => (window as unknown as { __serialed: { error?: string } }).__serialed.error);
  if (err) throw new Error(`viewer error: ${err}`);
}

/** Waits until the given shot has been rendered. */
export async function waitForShot(page: Page, shot: number): Promise<void> {
  await page.waitForFunction((s) => (window as unknown as { __serialed: { renderedShot?: number } }).__serialed.renderedShot === s, shot, { timeout: 30_000 });
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(shotsDir, { recursive: true });
  const p = join(shotsDir, `${name}.png`);
  await page.screenshot({ path: p });
  return p;
}

/** Rows of a simulator truth CSV (`DIR/truth/FILE`) as records of strings. */
export function truthRows(dir: string, file: string): Record<string, string>[] {
  const [head, ...lines] = readFileSync(join(dir, "truth", file), "utf8").trim().split("\n");
  const keys = head!.split(",");
  return lines.map((l) => Object.fromEntries(l.split(",").map((v, i) => [keys[i]!, v])));
}

/** `serialed serve PATHS…`, a browser, and the viewer open on the first frame. */
export async function serveAndOpen(paths: string[]): Promise<{ served: Served; ctx: BrowserContext; page: Page; errors: string[] }> {
  const served = await startServe(paths);
  const ctx = await launchBrowser();
  const page = await ctx.newPage();
  const errors = collectErrors(page);
  await openViewer(page, served.url);
  return { served, ctx, page, errors };
}
