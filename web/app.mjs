// The offline verifier page: inputs (camera, picture, text) in, the hcx package's verdict out.
// Nothing about a scanned code is sent or stored: scans are judged in this tab's memory only.
// Only the trust bundle is fetched (when asked) and kept (localStorage), so the page works
// offline.

import { loadBuild } from './hcx/js/load.mjs';
import { UI, words } from './messages.mjs';

const $ = (id) => document.getElementById(id);
const STORE_BUNDLE = 'hcx.trust-bundle';
const STORE_SEQUENCE = 'hcx.max-sequence';
/** A trust list older than this is shown as stale (a bundle may set `max_age_days`). */
const DEFAULT_MAX_AGE_DAYS = 7;
/** A trust list expiring sooner than this gets a warning. */
const EXPIRY_WARNING_SECONDS = 2 * 86400;

const state = {
  lang: (navigator.language || 'en').toLowerCase().startsWith('zh') ? 'zh' : 'en',
  hcx: null,
  verifier: null,
  bundle: null,
  trustError: null,
  lastVerdict: null,
  stream: null,
};

const t = () => UI[state.lang];

// ---------------------------------------------------------------- time, in words

function duration(seconds) {
  const s = Math.max(0, Math.floor(seconds));
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  const u = t();
  const sep = state.lang === 'zh' ? '' : ' ';
  if (d > 0) return `${d}${sep}${u.days} ${h}${sep}${u.hours}`;
  if (h > 0) return `${h}${sep}${u.hours} ${m}${sep}${u.minutes}`;
  return `${m}${sep}${u.minutes}`;
}

const nowSeconds = () => Date.now() / 1000;
const unix = (rfc3339) => Date.parse(rfc3339) / 1000;

function localTime(rfc3339) {
  return new Date(rfc3339).toLocaleString(state.lang === 'zh' ? 'zh-CN' : 'en-GB', {
    dateStyle: 'medium',
    timeStyle: 'short',
  });
}

// ---------------------------------------------------------------- trust

/** base64 → bytes. */
function fromBase64(b64) {
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** bytes → base64. */
function toBase64(bytes) {
  let bin = '';
  for (let i = 0; i < bytes.length; i += 0x8000) {
    bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(bin);
}

/**
 * A trust bundle: `{"hcx_trust_bundle": 1, "roots": [PEM or JWK], "threshold": 1,
 * "max_age_days": 7, "inputs": [{"name", "text" | "base64"}]}` (bindings/js/README.md).
 */
function parseBundle(json) {
  const b = JSON.parse(json);
  if (!b || b.hcx_trust_bundle !== 1) throw new Error('not an hcx trust bundle (hcx_trust_bundle: 1)');
  return {
    roots: Array.isArray(b.roots) ? b.roots.map(String) : [],
    threshold: Number.isInteger(b.threshold) ? b.threshold : 1,
    max_age_days: typeof b.max_age_days === 'number' ? b.max_age_days : DEFAULT_MAX_AGE_DAYS,
    inputs: (b.inputs || []).map((i) => ({
      name: String(i.name || ''),
      bytes: typeof i.base64 === 'string' ? fromBase64(i.base64) : new TextEncoder().encode(String(i.text ?? '')),
    })),
  };
}

function bundleJson(bundle) {
  return JSON.stringify({
    hcx_trust_bundle: 1,
    roots: bundle.roots,
    threshold: bundle.threshold,
    max_age_days: bundle.max_age_days,
    inputs: bundle.inputs.map((i) => ({ name: i.name, base64: toBase64(i.bytes) })),
  });
}

/** Builds the verifier from a bundle; a bundle that cannot be used leaves an empty verifier. */
function useBundle(bundle, { remember }) {
  state.bundle = bundle;
  state.verifier?.free();
  const stored = Number(localStorage.getItem(STORE_SEQUENCE));
  try {
    state.verifier = new state.hcx.Verifier(
      bundle.inputs.map((i) => i.bytes),
      {
        roots: bundle.roots,
        threshold: bundle.threshold,
        minSequence: Number.isSafeInteger(stored) && stored > 0 ? stored : undefined,
      },
    );
    state.trustError = null;
    const seq = state.verifier.trust.trust_list?.sequence;
    // Rollback protection: never accept an older list than one used here before.
    if (seq !== undefined && !(stored >= seq)) localStorage.setItem(STORE_SEQUENCE, String(seq));
    if (remember) {
      try {
        localStorage.setItem(STORE_BUNDLE, bundleJson(bundle));
      } catch {
        // Too large for localStorage: it still works until the page is closed.
      }
    }
  } catch (e) {
    state.trustError = e;
    state.verifier = new state.hcx.Verifier([], {});
  }
  renderTrust();
}

async function loadBundleUrl(url) {
  try {
    const response = await fetch(url, { cache: 'no-cache' });
    if (!response.ok) throw new Error(`${response.status} ${response.statusText}`);
    useBundle(parseBundle(await response.text()), { remember: true });
  } catch (e) {
    showTrustProblem(`${url}: ${e.message}${state.bundle ? ` (${t().trustKept})` : ''}`);
  }
}

/** Files picked by hand: one bundle, or loose trust files (PEM public keys are roots). */
async function loadBundleFiles(files) {
  try {
    const loose = { roots: [], threshold: 1, max_age_days: DEFAULT_MAX_AGE_DAYS, inputs: [] };
    for (const file of files) {
      const bytes = new Uint8Array(await file.arrayBuffer());
      const text = new TextDecoder().decode(bytes);
      if (files.length === 1 && text.includes('"hcx_trust_bundle"')) {
        useBundle(parseBundle(text), { remember: true });
        return;
      }
      if (text.includes('-----BEGIN PUBLIC KEY-----') || /"kty"\s*:\s*"OKP"/.test(text) && !text.includes('"keys"')) {
        loose.roots.push(text);
      } else {
        loose.inputs.push({ name: file.name, bytes });
      }
    }
    useBundle(loose, { remember: true });
  } catch (e) {
    showTrustProblem(e.message);
  }
}

function showTrustProblem(message) {
  const w = $('trust-warning');
  w.hidden = false;
  w.className = 'warning bad';
  w.textContent = `${t().trustFailed} ${message}`;
}

function renderTrust() {
  const u = t();
  const summary = $('trust-summary');
  const warning = $('trust-warning');
  warning.hidden = true;
  warning.className = 'warning';
  if (state.trustError) {
    const e = state.trustError;
    summary.textContent = u.trustNone;
    warning.hidden = false;
    warning.className = 'warning bad';
    warning.textContent = e.code === 'trust_list_expired'
      ? u.trustExpired
      : `${u.trustFailed} ${words(e, state.lang)} (${e.code}${e.reason ? ` / ${e.reason}` : ''})`;
    return;
  }
  const info = state.verifier?.trust;
  if (!info || !state.bundle) {
    summary.textContent = u.trustNone;
    return;
  }
  const list = info.trust_list;
  const parts = [u.trustInputs(info.inputs.length)];
  if (list) {
    const now = nowSeconds();
    const age = now - unix(list.issued_at);
    const left = unix(list.expires_at) - now;
    parts.push(
      `${u.trustSequence} ${list.sequence}`,
      `${u.trustSigned} ${localTime(list.issued_at)} (${u.trustAge(duration(age))})`,
      `${u.trustExpires} ${localTime(list.expires_at)} (${u.trustIn(duration(left))})`,
    );
    if (left < EXPIRY_WARNING_SECONDS) {
      warning.hidden = false;
      warning.textContent = u.trustExpiringSoon(duration(left));
    } else if (age > state.bundle.max_age_days * 86400) {
      warning.hidden = false;
      warning.textContent = u.trustStale(duration(age));
    }
  } else {
    warning.hidden = false;
    warning.textContent = u.trustForeignOnly;
  }
  summary.textContent = parts.join(' · ');
}

// ---------------------------------------------------------------- verdicts

function issuerName(v) {
  const names = v.issuer?.names;
  return names?.[state.lang] ?? names?.en ?? v.issuer?.name ?? v.issuer?.id ?? '';
}

function showVerdict(v) {
  state.lastVerdict = v;
  const u = t();
  const box = $('verdict');
  const details = $('verdict-details');
  const reason = $('verdict-reason');
  details.replaceChildren();
  reason.replaceChildren();
  const row = (term, value) => {
    if (value === undefined || value === null || value === '') return;
    const dt = document.createElement('dt');
    dt.textContent = term;
    const dd = document.createElement('dd');
    dd.textContent = value;
    details.append(dt, dd);
  };
  if (v.valid) {
    const status = v.claims?.status;
    const kind = v.format === 'hcx' && u.statusWord[status] ? status : 'foreign';
    box.className = `verdict valid ${kind}`;
    box.querySelector('.icon').textContent = kind === 'red' ? '!' : '✓';
    $('verdict-label').textContent = kind === 'foreign' ? u.valid : `${u.statusWord[status]} · ${u.valid}`;
    row(u.holder, v.summary?.name ?? v.claims?.subject?.name);
    row(u.born, v.summary?.birth_date);
    row(u.issuer, issuerName(v));
    row(u.format, u.formats[v.format] ?? v.format);
    if (v.expires_at) {
      const left = unix(v.expires_at) - nowSeconds();
      row(u.timeLeft, left > 0 ? duration(left) : u.expiredAgo);
    } else {
      row(u.timeLeft, u.noExpiry);
    }
  } else {
    const e = v.error;
    // Exit status 2 in the CLI: the verifier could not judge (setup, trust); otherwise rejected.
    const cannot = e.code === 'usage' || e.code.startsWith('trust_list_') || e.code === 'invalid_input' || e.code === 'no_code_found';
    box.className = `verdict ${cannot ? 'unknown' : 'invalid'}`;
    box.querySelector('.icon').textContent = cannot ? '?' : '✗';
    $('verdict-label').textContent = cannot ? u.cannotJudge : u.invalid;
    const other = state.lang === 'zh' ? 'en' : 'zh';
    const main = document.createElement('span');
    main.textContent = words(e, state.lang);
    const second = document.createElement('span');
    second.className = 'other';
    second.lang = other;
    second.textContent = words(e, other);
    reason.append(main, second);
    row(u.reason, `${e.code}${e.reason ? ` / ${e.reason}` : ''}`);
  }
}

function showWorking() {
  const box = $('verdict');
  box.className = 'verdict working';
  box.querySelector('.icon').textContent = '…';
  $('verdict-label').textContent = t().working;
  $('verdict-details').replaceChildren();
  $('verdict-reason').replaceChildren();
}

function judge(f) {
  try {
    showVerdict(f());
  } catch (e) {
    showVerdict({ valid: false, error: { code: e.code ?? 'invalid_input', reason: e.reason, message: e.message } });
  }
  $('verdict').focus({ preventScroll: false });
}

function verifyPasted() {
  const lines = $('text').value.split(/\r?\n/).map((l) => l.trim()).filter(Boolean);
  if (lines.length === 0) return;
  // Several `shc:/K/N/` lines are the chunks of one SMART Health Card; anything else is one code.
  const chunks = lines.length > 1 && lines.every((l) => /^shc:\/\d+\/\d+\//.test(l));
  judge(() => (chunks ? state.verifier.verifyChunks(lines) : state.verifier.verifyText(lines.join(''))));
}

async function verifyFile(file) {
  if (!file) return;
  showWorking();
  const bytes = new Uint8Array(await file.arrayBuffer());
  judge(() => state.verifier.verifyImage(bytes));
}

// ---------------------------------------------------------------- camera

async function startCamera() {
  if (state.stream) return stopCamera();
  const video = $('video');
  try {
    state.stream = await navigator.mediaDevices.getUserMedia({
      video: { facingMode: { ideal: 'environment' }, width: { ideal: 1280 }, height: { ideal: 720 } },
      audio: false,
    });
  } catch (e) {
    $('camera').hidden = false;
    $('camera-note').textContent = `${t().cameraDenied} ${e.message}`;
    return;
  }
  video.srcObject = state.stream;
  $('camera').hidden = false;
  $('camera-note').textContent = t().scanning;
  $('scan').textContent = t().stopScan;
  await video.play();
  scanFrame();
}

function stopCamera() {
  for (const track of state.stream?.getTracks() ?? []) track.stop();
  state.stream = null;
  $('video').srcObject = null;
  $('camera').hidden = true;
  $('scan').textContent = t().scan;
}

/** Reads one frame; keeps going until a code is found (whatever its verdict). */
function scanFrame() {
  if (!state.stream) return;
  const video = $('video');
  const w = video.videoWidth;
  const h = video.videoHeight;
  if (w > 0 && h > 0) {
    const canvas = $('frame');
    if (canvas.width !== w || canvas.height !== h) {
      canvas.width = w;
      canvas.height = h;
    }
    const ctx = canvas.getContext('2d', { willReadFrequently: true });
    ctx.drawImage(video, 0, 0, w, h);
    const frame = ctx.getImageData(0, 0, w, h);
    let v;
    try {
      v = state.verifier.verifyFrame(frame);
    } catch (e) {
      v = { valid: false, error: { code: e.code, reason: e.reason, message: e.message } };
    }
    if (v.valid || v.error?.code !== 'no_code_found') {
      stopCamera();
      showVerdict(v);
      $('verdict').focus();
      return;
    }
  }
  if (typeof video.requestVideoFrameCallback === 'function') video.requestVideoFrameCallback(() => scanFrame());
  else requestAnimationFrame(() => scanFrame());
}

// ---------------------------------------------------------------- language

function applyLanguage() {
  const u = t();
  document.documentElement.lang = state.lang === 'zh' ? 'zh-CN' : 'en';
  document.title = u.title;
  for (const el of document.querySelectorAll('[data-t]')) {
    const key = el.dataset.t;
    if (typeof u[key] === 'string') el.textContent = u[key];
  }
  $('lang').textContent = u.language;
  if (state.stream) $('scan').textContent = u.stopScan;
  renderTrust();
  if (state.lastVerdict) showVerdict(state.lastVerdict);
}

// ---------------------------------------------------------------- start

async function main() {
  applyLanguage();
  if ('serviceWorker' in navigator) {
    navigator.serviceWorker.register('sw.js').catch(() => {});
  }
  state.hcx = await loadBuild('full');
  state.verifier = new state.hcx.Verifier([], {});
  $('lang').addEventListener('click', () => {
    state.lang = state.lang === 'zh' ? 'en' : 'zh';
    applyLanguage();
  });
  $('scan').addEventListener('click', () => startCamera());
  $('file').addEventListener('change', (e) => verifyFile(e.target.files[0]).finally(() => { e.target.value = ''; }));
  $('verify').addEventListener('click', verifyPasted);
  $('text').addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) verifyPasted();
  });
  $('clear').addEventListener('click', () => {
    $('text').value = '';
    state.lastVerdict = null;
    const box = $('verdict');
    box.className = 'verdict idle';
    box.querySelector('.icon').textContent = '…';
    $('verdict-label').textContent = t().noVerdict;
    $('verdict-details').replaceChildren();
    $('verdict-reason').replaceChildren();
    $('text').focus();
  });
  const drop = $('drop');
  for (const target of [document.body]) {
    target.addEventListener('dragover', (e) => { e.preventDefault(); drop.classList.add('over'); });
    target.addEventListener('dragleave', () => drop.classList.remove('over'));
    target.addEventListener('drop', (e) => {
      e.preventDefault();
      drop.classList.remove('over');
      verifyFile(e.dataTransfer?.files?.[0]);
    });
  }
  $('load-url').addEventListener('click', () => loadBundleUrl($('bundle-url').value));
  $('bundle-file').addEventListener('change', (e) => loadBundleFiles([...e.target.files]).finally(() => { e.target.value = ''; }));

  // The bundle kept from last time is used at once (offline too); then the one named in the
  // address (`?bundle=URL`), or the default one when none is kept, is fetched and replaces it.
  // If that fetch fails (offline), the kept bundle stays in use.
  const named = new URLSearchParams(location.search).get('bundle');
  const kept = localStorage.getItem(STORE_BUNDLE);
  if (kept) {
    try {
      useBundle(parseBundle(kept), { remember: false });
    } catch {
      localStorage.removeItem(STORE_BUNDLE);
    }
  }
  if (named) $('bundle-url').value = named;
  const url = named ?? (kept ? null : $('bundle-url').value);
  if (url) await loadBundleUrl(url);
  document.body.dataset.ready = 'true';
}

main().catch((e) => {
  document.body.dataset.ready = 'error';
  showTrustProblem(e.message);
});
