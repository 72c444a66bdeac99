import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vite'

const monacoShim = fileURLToPath(new URL('./src/monaco.ts', import.meta.url))

// Static build of the Sluice console, served by Sluice at /hawtio/ (see README.md).
export default defineConfig({
  base: '/hawtio/',
  esbuild: { jsx: 'automatic' },
  resolve: {
    alias: [
      // Only the bare 'monaco-editor' import (Hawtio: `import * as monaco from 'monaco-editor'`) goes to the
      // slim shim; deep imports such as 'monaco-editor/esm/...' are untouched.
      { find: /^monaco-editor$/, replacement: monacoShim },
      // Hawtio ships Camel models for 4.10 and 4.14 (~3 MB each) and picks by the Camel version it sees.
      // Sluice runs Camel 4.14, so the 4.10 model is replaced by the 4.14 one.
      { find: /^@hawtio\/camel-model-v4_10/, replacement: '@hawtio/camel-model-v4_14' },
    ],
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: false,
    reportCompressedSize: false,
    chunkSizeWarningLimit: 12000,
  },
})
