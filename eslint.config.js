// ESLint flat config. The per-folder `no-restricted-imports` blocks are the import-layering rules:
// renderer -> (contract in src/core/api) ; main -> workers -> core. See docs/architecture.md.
import js from "@eslint/js";
import tseslint from "typescript-eslint";

const why = "Layering rule, see docs/architecture.md";
const nodeBuiltins = ["node:*", "fs", "path", "os", "child_process", "worker_threads", "crypto", "http", "net", "url", "stream", "util", "events", "zlib", "readline"];

export default tseslint.config(
  { ignores: ["node_modules/**", "dist/**", "test-output/**", "bench-output/**", "demo-data/**"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { console: "readonly", process: "readonly", setTimeout: "readonly", clearTimeout: "readonly", setInterval: "readonly", clearInterval: "readonly", performance: "readonly", URL: "readonly", TextDecoder: "readonly", TextEncoder: "readonly", Buffer: "readonly", window: "readonly", document: "readonly", fetch: "readonly", WebSocket: "readonly", queueMicrotask: "readonly", structuredClone: "readonly", requestAnimationFrame: "readonly", cancelAnimationFrame: "readonly", localStorage: "readonly", AbortController: "readonly", AbortSignal: "readonly" } },
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/no-non-null-assertion": "off",
      "no-constant-condition": ["error", { checkLoops: false }],
    },
  },
  {
    files: ["src/core/**/*.ts"],
    ignores: ["src/core/**/*.test.ts"],
    rules: {
      "no-restricted-imports": ["error", { patterns: [
        { group: nodeBuiltins, message: `src/core is pure: no Node APIs. ${why}` },
        { group: ["**/workers/**", "**/main/**", "**/renderer/**"], message: `src/core imports only src/core. ${why}` },
        { group: ["electron", "react", "react-dom", "zustand", "pixi.js", "plotly.js-dist-min", "h5wasm", "h5wasm/*", "execa", "ws"], message: `src/core stays free of I/O and UI libraries. ${why}` },
      ] }],
      "no-restricted-globals": ["error", { name: "window", message: `No DOM in src/core. ${why}` }, { name: "document", message: `No DOM in src/core. ${why}` }, { name: "process", message: `No Node globals in src/core. ${why}` }, { name: "Buffer", message: `No Node globals in src/core. ${why}` }],
    },
  },
  {
    // Tests beside core code may use node:test, node:assert and fixtures on disk; the code under test stays pure.
    files: ["src/core/**/*.test.ts"],
    rules: {
      "no-restricted-imports": ["error", { patterns: [
        { group: ["**/workers/**", "**/main/**", "**/renderer/**"], message: `src/core tests import only src/core. ${why}` },
      ] }],
    },
  },
  {
    files: ["src/workers/**/*.ts"],
    rules: {
      "no-restricted-imports": ["error", { patterns: [
        { group: ["**/main/**", "**/renderer/**"], message: `src/workers imports only src/core and node:worker_threads. ${why}` },
        { group: ["electron", "react", "react-dom", "zustand", "pixi.js", "execa"], message: `Not in workers. ${why}` },
      ] }],
    },
  },
  {
    files: ["src/main/**/*.ts"],
    ignores: ["src/main/electron/**"],
    rules: {
      "no-restricted-imports": ["error", { patterns: [
        { group: ["**/renderer/**"], message: `src/main never imports the renderer. ${why}` },
        { group: ["electron"], message: `electron only inside src/main/electron. ${why}` },
      ] }],
    },
  },
  {
    files: ["src/main/electron/**/*.ts"],
    rules: { "no-restricted-imports": ["error", { patterns: [{ group: ["**/renderer/**"], message: `src/main never imports the renderer. ${why}` }] }] },
  },
  {
    files: ["src/renderer/**/*.ts", "src/renderer/**/*.tsx"],
    rules: {
      "no-restricted-imports": ["error", { patterns: [
        { group: nodeBuiltins, message: `The renderer has no Node APIs; reach the host through src/core/api/host-api.ts. ${why}` },
        { group: ["**/main/**", "**/workers/**"], message: `The renderer talks to the host only through the contract (src/core/api). ${why}` },
        { group: ["electron", "h5wasm", "h5wasm/*", "execa", "ws"], message: `Not in the renderer. ${why}` },
      ] }],
    },
  },
);
