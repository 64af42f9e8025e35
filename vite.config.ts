import { defineConfig } from 'vite'
import { svelte } from '@sveltejs/vite-plugin-svelte'
import { VitePWA } from 'vite-plugin-pwa'
import { precompress } from './build/precompress.ts'
import { compileHints } from './build/compile-hints.ts'

export default defineConfig({
  plugins: [
    svelte(),
    VitePWA({
      strategies: 'generateSW',
      // Never reload by itself: an update waits for the user, and never interrupts a payment.
      registerType: 'prompt',
      // Registered from our own module (src/app/updates.ts): an injected inline script would break the CSP.
      injectRegister: false,
      includeAssets: ['icon.svg', 'apple-touch-icon.png'],
      manifest: {
        id: '/',
        name: 'Handover',
        short_name: 'Handover',
        description: 'Self-custody BSV wallet: pay the person in front of you, phone to phone.',
        start_url: '/',
        scope: '/',
        display: 'standalone',
        orientation: 'portrait',
        background_color: '#0b0f14',
        theme_color: '#0f766e',
        categories: ['finance'],
        icons: [
          { src: 'icon-192.png', sizes: '192x192', type: 'image/png', purpose: 'any' },
          { src: 'icon-512.png', sizes: '512x512', type: 'image/png', purpose: 'any' },
          { src: 'icon-maskable-512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' }
        ],
        protocol_handlers: [{ protocol: 'bitcoin', url: '/?uri=%s' }],
        launch_handler: { client_mode: 'focus-existing' }
      } as Record<string, unknown>,
      workbox: {
        // wasm: the QR decoder, so the camera scanner reads codes offline too.
        globPatterns: ['**/*.{js,css,html,svg,png,webmanifest,wasm}'],
        navigateFallback: 'index.html',
        // Chain, miner and devnet calls must never be served from a cache.
        navigateFallbackDenylist: [/^\/devnet\//, /^\/signal/],
        cleanupOutdatedCaches: true,
        maximumFileSizeToCacheInBytes: 4 * 1024 * 1024
      }
    }),
    // The entry compiles eagerly off the main thread (issue 12: shorter start-up tasks).
    compileHints(),
    // Last: brotli and gzip copies of everything above, the service worker included.
    precompress()
  ],
  // `npm run dev` serves the UI with hot reload; the devnet and signalling come from a
  // separately running `npm run serve` (default port 8787, or HANDOVER_API).
  server: {
    proxy: {
      '/devnet': process.env.HANDOVER_API ?? 'http://127.0.0.1:8787',
      '/signal': { target: (process.env.HANDOVER_API ?? 'http://127.0.0.1:8787').replace(/^http/, 'ws'), ws: true }
    }
  },
  build: {
    target: 'es2022',
    // No source maps in what we ship: they publish the whole source tree next to the app
    // (issue 9.10). HANDOVER_SOURCEMAP=1 builds them for debugging a local build.
    sourcemap: process.env.HANDOVER_SOURCEMAP === '1'
  }
})
