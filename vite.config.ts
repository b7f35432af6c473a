import { defineConfig } from "vite";
import react from "@vitejs/plugin-react";

// The renderer is built once into dist/renderer and served by both the Electron window and the web host.
export default defineConfig({
  root: "src/renderer",
  base: "./",
  plugins: [react()],
  build: { outDir: "../../dist/renderer", emptyOutDir: true, chunkSizeWarningLimit: 6000 },
});
