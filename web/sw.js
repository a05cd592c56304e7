// Offline: the page and the hcx package are served from this cache after the first visit.
// Only this page's own files and the trust bundle pass through here; a scanned code is never
// fetched, sent or stored (the page judges it in memory).
const CACHE = 'hcx-verifier-v2';
const SHELL = [
  './',
  'index.html',
  'style.css',
  'app.mjs',
  'messages.mjs',
  'icon.svg',
  'manifest.webmanifest',
  'hcx/js/load.mjs',
  'hcx/js/engine.mjs',
  'hcx/js/api.mjs',
  'hcx/pkg/full/hcx_js_glue.js',
  'hcx/pkg/full/hcx_js_bg.wasm',
  // The variant js/load.mjs picks where the browser has WebAssembly SIMD (every current one);
  // both are kept, so that the page also works offline in a browser without it.
  'hcx/pkg/full/hcx_js_bg.simd.wasm',
];

self.addEventListener('install', (event) => {
  event.waitUntil(
    caches.open(CACHE).then((cache) => cache.addAll(SHELL)).then(() => self.skipWaiting()),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys.filter((k) => k !== CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

/** The network first, the cache when offline; what the network gives is kept for later. */
async function networkFirst(request) {
  const cache = await caches.open(CACHE);
  try {
    const response = await fetch(request);
    if (response.ok) await cache.put(request, response.clone());
    return response;
  } catch (e) {
    const cached = await cache.match(request, { ignoreSearch: true });
    if (cached) return cached;
    throw e;
  }
}

self.addEventListener('fetch', (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== 'GET' || url.origin !== self.location.origin) return;
  event.respondWith(networkFirst(event.request));
});
