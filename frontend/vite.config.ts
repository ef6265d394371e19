import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

// The bundle is committed and compared byte for byte by `scripts/build-cards --check`:
// one ES module, no chunks (an unversioned chunk URL outlives an update), no hashes
// or timestamps. PIORCHESTRATOR_CARDS_OUT lets the check build into a temp dir.
const outDir =
  process.env.PIORCHESTRATOR_CARDS_OUT ??
  fileURLToPath(new URL("../custom_components/piorchestrator/frontend", import.meta.url));

export default defineConfig({
  build: {
    target: "es2020",
    outDir,
    // The output folder also holds the integration's Python module: never empty it.
    emptyOutDir: false,
    copyPublicDir: false,
    minify: true,
    sourcemap: false,
    reportCompressedSize: false,
    lib: {
      entry: fileURLToPath(new URL("src/index.ts", import.meta.url)),
      formats: ["es"],
      fileName: () => "piorchestrator-cards.js",
    },
    rolldownOptions: {
      // Lib mode keeps whitespace for tree-shaking by later bundlers; this file is final.
      output: { codeSplitting: false, minify: true },
    },
  },
  test: {
    environment: "jsdom",
    include: ["test/**/*.test.ts"],
    // The 500-board render runs in jsdom on shared CI machines: slow, never stuck.
    testTimeout: 60_000,
  },
});
