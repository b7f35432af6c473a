/**
 * Electron bundle: `npm run build:electron` (esbuild) produces the main process and the preload;
 * the window keeps contextIsolation/sandbox/no nodeIntegration; the preload exposes only the
 * invoke/event bridge, whose method names are checked against the contract. Electron cannot run
 * here, so the preload bundle is evaluated in a vm with a stand-in contextBridge/ipcRenderer.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { execSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { runInNewContext } from "node:vm";
import { bridgeKeys, preloadFileName, secureWebPreferences } from "../../src/main/electron/window-options.ts";
import { isMethodName, methodNames, parseRequest } from "../../src/core/api/host-api.ts";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { main: string; scripts: Record<string, string> };

describe("electron bundle", () => {
  const out = mkdtempSync(join(tmpdir(), "serialed-electron-"));
  // The package.json script itself, writing into a fresh folder instead of dist/electron.
  const script = pkg.scripts["build:electron"];
  assert.ok(script, "package.json has a build:electron script");
  execSync(script.replaceAll("dist/electron/", `${out}/`), { cwd: root, stdio: "pipe", env: { ...process.env, PATH: `${join(root, "node_modules", ".bin")}:${process.env["PATH"] ?? ""}` } });
  const mainJs = readFileSync(join(out, "main.js"), "utf8");
  const preloadJs = readFileSync(join(out, preloadFileName), "utf8");

  it("package.json main and electron-builder point at the bundle", () => {
    assert.equal(pkg.main, "dist/electron/main.js");
    assert.ok(script.includes("--outfile=dist/electron/main.js") && script.includes(`--outfile=dist/electron/${preloadFileName}`));
    const yml = readFileSync(join(root, "electron-builder.yml"), "utf8");
    assert.match(yml, /^\s*-\s*dist\/electron\/\*\*/m);
    assert.match(yml, /^\s*-\s*dist\/renderer\/\*\*/m);
    assert.match(yml, /main:\s*dist\/electron\/main\.js/);
  });

  it("bundles main (ESM, electron external) with the secure window options and the .cjs preload", () => {
    assert.ok(mainJs.length > 10_000, `main.js has ${mainJs.length} bytes`);
    assert.match(mainJs, /from "electron"/);
    assert.match(mainJs, /new BrowserWindow\(/);
    assert.match(mainJs, /contextIsolation: true/);
    assert.match(mainJs, /sandbox: true/);
    assert.match(mainJs, /nodeIntegration: false/);
    assert.doesNotMatch(mainJs, /nodeIntegration: true|contextIsolation: false|sandbox: false|webSecurity: false/);
    assert.ok(mainJs.includes(`"${preloadFileName}"`), "main loads the bundled preload");
    assert.ok(!/\.ts["']/.test(mainJs.match(/from "\.[^"]*"/g)?.join("") ?? ""), "no relative .ts imports left");
  });

  it("main.ts passes exactly the secure web preferences to the BrowserWindow", () => {
    assert.deepEqual(secureWebPreferences, { contextIsolation: true, sandbox: true, nodeIntegration: false, webSecurity: true });
    const src = readFileSync(join(root, "src", "main", "electron", "main.ts"), "utf8");
    const m = /webPreferences:\s*\{([^}]*)\}/.exec(src);
    assert.ok(m, "main.ts sets webPreferences");
    const keys = m[1]!.replace(/\([^)]*\)/g, "()").split(",").map((s) => s.trim().split(":")[0]!.trim()).filter(Boolean);
    assert.deepEqual(keys.sort(), ["...secureWebPreferences", "preload"], `webPreferences keys: ${keys.join(", ")}`);
  });

  it("preload exposes only invoke/onEvent, forwarding contract method names on the invoke channel", async () => {
    const exposed = new Map<string, Record<string, unknown>>();
    const invoked: unknown[][] = [];
    const listened: string[] = [];
    const electron = {
      contextBridge: { exposeInMainWorld: (k: string, v: Record<string, unknown>) => exposed.set(k, v) },
      ipcRenderer: {
        invoke: (...a: unknown[]) => { invoked.push(a); return Promise.resolve(null); },
        on: (ch: string) => { listened.push(ch); },
      },
    };
    const required: string[] = [];
    const module = { exports: {} };
    runInNewContext(preloadJs, { require: (id: string) => { required.push(id); if (id === "electron") return electron; throw new Error(`preload requires ${id}`); }, module, exports: module.exports });
    assert.deepEqual(required, ["electron"], "a sandboxed preload may only require electron");
    assert.deepEqual([...exposed.keys()], ["serialedBridge"]);
    const bridge = exposed.get("serialedBridge")!;
    assert.deepEqual(Object.keys(bridge).sort(), [...bridgeKeys].sort());
    const ipcSrc = readFileSync(join(root, "src", "main", "electron", "ipc-bridge.ts"), "utf8");
    const invokeChannel = /INVOKE_CHANNEL = "([^"]+)"/.exec(ipcSrc)?.[1];
    const eventChannel = /EVENT_CHANNEL = "([^"]+)"/.exec(ipcSrc)?.[1];
    for (const name of methodNames) await (bridge["invoke"] as (m: string, p: unknown) => Promise<unknown>)(name, {});
    assert.equal(invoked.length, methodNames.length);
    for (const a of invoked) { assert.equal(a[0], invokeChannel); assert.ok(isMethodName(a[1])); }
    (bridge["onEvent"] as (cb: () => void) => void)(() => {});
    assert.deepEqual(listened, [eventChannel]);
    // The main side validates every invoke against the contract: anything else is refused.
    assert.ok(ipcSrc.includes("parseRequest("));
    assert.throws(() => parseRequest({ type: "request", id: 0, method: "readFileFromDisk", params: {} }));
  });

  it("cleans up", () => {
    rmSync(out, { recursive: true, force: true });
    assert.equal(existsSync(out), false);
  });
});
