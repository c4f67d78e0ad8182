/// <reference types="vitest/config" />
import { defineConfig } from 'vite';
import preact from '@preact/preset-vite';

// The Go gateway embeds dist/ (see embed.go), so the app is built into dist/app and
// dist/.keep stays in git for the embed pattern to match before any build.
export default defineConfig({
  plugins: [preact()],
  build: {
    outDir: 'dist/app',
    emptyOutDir: true,
    target: 'es2022',
  },
  server: {
    // `npm run dev` against a running `comite serve --addr 127.0.0.1:8080`.
    proxy: {
      '/api': { target: 'http://127.0.0.1:8080', ws: true },
      '/healthz': 'http://127.0.0.1:8080',
    },
  },
  test: {
    include: ['src/**/*.test.ts', 'src/**/*.test.tsx'],
    environment: 'node',
  },
});
