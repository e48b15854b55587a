/// <reference types="vitest/config" />
import { defineConfig } from 'vite'
import react from '@vitejs/plugin-react'

// The build lands in dist/, which frontend/embed.go embeds into the server and the desktop app.
// `npm run dev` proxies the API and the websocket to a server started with `make run`.
const server = process.env.HMS_URL ?? 'http://127.0.0.1:8080'

export default defineConfig({
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: false, chunkSizeWarningLimit: 400 },
  server: {
    proxy: {
      '/api': server,
      '/healthz': server,
      '/ws': { target: server.replace(/^http/, 'ws'), ws: true },
    },
  },
  test: {
    environment: 'happy-dom',
    include: ['src/**/*.test.{ts,tsx}'],
    setupFiles: ['src/test-setup.ts'],
    // The tests run in a zone other than any hospital's default, so a date computed in the browser's
    // zone instead of the hospital's (api/time.ts) shows up as a wrong hour or day.
    env: { TZ: 'America/New_York' },
  },
})
