// The offline verifier page (web/) in Debian's headless Chromium, driven by playwright-core:
// the fake camera fed a video made here from a QR picture, picture upload, pasted text; valid,
// tampered, expired, unknown-issuer, DCC and SHC codes; a reload with the server gone (the
// service worker); no request after load; Chinese and English; a phone-sized screen.
// Screenshots of each verdict go to bindings/js/test-output/screenshots/ (git-ignored), and the
// visible text is checked.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';

import { chromium } from 'playwright-core';
import { fixtures, packageDir, peers, readPng, repoDir } from '../helpers.mjs';

const WEB = join(repoDir, 'web');
const OUT = join(packageDir, 'test-output');
const SHOTS = join(OUT, 'screenshots');
const NOW = Date.parse('2026-11-21T09:00:00Z');
/** The launch flags of issue #12: without the networking ones Chromium floods a closed network. */
const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.webmanifest': 'application/manifest+json',
  '.png': 'image/png',
};

/** A static server on 127.0.0.1 for web/ and the test's own data, logging every request. */
function serve(testData) {
  const log = [];
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    log.push(path);
    const [base, rel] = path.startsWith('/test-data/') ? [testData, path.slice(11)] : [WEB, path.slice(1) || 'index.html'];
    const file = normalize(join(base, rel));
    if (!file.startsWith(base) || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-cache' });
    res.end(readFileSync(file));
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => resolve({ server, log, url: `http://127.0.0.1:${server.address().port}` }));
  });
}

async function launch(extraArgs = [], options = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'hcx-chromium-'));
  const context = await chromium.launchPersistentContext(dir, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: [...FLAGS, ...extraArgs],
    viewport: { width: 1000, height: 900 },
    locale: 'en-GB',
    ...options,
  });
  context.cleanup = async () => {
    await context.close();
    rmSync(dir, { recursive: true, force: true });
  };
  return context;
}

async function ready(page) {
  await page.waitForFunction(() => document.body.dataset.ready, null, { timeout: 30_000 });
  assert.equal(await page.evaluate(() => document.body.dataset.ready), 'true', await page.locator('#trust-warning').innerText());
}

/** Waits for a verdict (not idle, not working), saves its screenshot, returns its text. */
async function verdict(page, shot) {
  await page.waitForFunction(() => {
    const c = document.getElementById('verdict').className;
    return !c.includes('idle') && !c.includes('working');
  });
  const text = await page.locator('#verdict').innerText();
  await page.screenshot({ path: join(SHOTS, `${shot}.png`), fullPage: true });
  return text;
}

async function paste(page, text, shot) {
  await page.locator('#clear').click();
  await page.locator('#text').fill(text);
  await page.locator('#verify').click();
  return verdict(page, shot);
}

let site;
let data;
let dcc;
let shc;
const peersDcc = peers('dcc');
const peersShc = peers('shc');

before(async () => {
  rmSync(SHOTS, { recursive: true, force: true });
  mkdirSync(SHOTS, { recursive: true });
  assert.ok(existsSync(join(WEB, 'hcx/pkg/full/hcx_js_bg.wasm')), 'run bindings/js/build.sh first');
  assert.ok(existsSync(join(WEB, 'hcx/pkg/full/hcx_js_bg.simd.wasm')), 'run bindings/js/build.sh first');
  data = mkdtempSync(join(tmpdir(), 'hcx-page-data-'));
  const inputs = [{ name: 'main.json', base64: readFileSync(join(fixtures, 'trust/main.json')).toString('base64') }];
  if (peersDcc) {
    dcc = JSON.parse(readFileSync(join(peersDcc, 'AT/2DCode/raw/1.json'), 'utf8'));
    inputs.push({ name: 'at-dsc.der', base64: dcc.TESTCTX.CERTIFICATE });
  }
  if (peersShc) {
    inputs.push({ name: 'jwks.json', base64: readFileSync(join(peersShc, 'spec-examples/issuer/.well-known/jwks.json')).toString('base64') });
    shc = readFileSync(join(peersShc, 'spec-examples/example-00-f-qr-code-numeric-value-0.txt'), 'utf8').trim();
  }
  const bundle = { hcx_trust_bundle: 1, roots: [readFileSync(join(fixtures, 'keys/root-1.pub.pem'), 'utf8')], threshold: 1, max_age_days: 7, inputs };
  writeFileSync(join(data, 'bundle.json'), JSON.stringify(bundle));
  site = await serve(data);
});

after(() => {
  site?.server.close();
  if (data) rmSync(data, { recursive: true, force: true });
});

const reference = readFileSync(join(fixtures, 'samples/reference-code.txt'), 'utf8').trim();
const unknownIssuer = readFileSync(join(fixtures, 'samples/unknown-key-code.txt'), 'utf8').trim();

test('paste, upload, every kind of verdict; no request after load; offline reload', async () => {
  const context = await launch();
  try {
    const page = await context.newPage();
    await page.clock.setFixedTime(NOW);
    await page.goto(`${site.url}/?bundle=/test-data/bundle.json`);
    await ready(page);
    // The service worker takes control; then nothing more is fetched, whatever is scanned.
    await page.evaluate(async () => {
      await navigator.serviceWorker.ready;
      if (!navigator.serviceWorker.controller) {
        await new Promise((r) => navigator.serviceWorker.addEventListener('controllerchange', r, { once: true }));
      }
    });
    const trust = await page.locator('#trust').innerText();
    assert.match(trust, /Trust list sequence 5/);
    assert.match(trust, /expires/);
    await page.screenshot({ path: join(SHOTS, 'trust.png'), fullPage: true });
    await page.waitForLoadState('networkidle');
    // Chromium has WebAssembly SIMD: the page runs the full build's SIMD variant.
    assert.ok(site.log.includes('/hcx/pkg/full/hcx_js_bg.simd.wasm'), `the SIMD variant was not loaded: ${site.log.join(', ')}`);
    const served = site.log.length;
    const requests = [];
    page.on('request', (r) => requests.push(r.url()));

    let text = await paste(page, reference, 'valid-pasted');
    assert.match(text, /Green code · VALID/);
    assert.match(text, /Holder\s+张三/);
    assert.match(text, /Issuer\s+DingTalk/);
    assert.match(text, /Time left\s+\d+ h \d+ min/);
    assert.equal(await page.locator('#verdict').getAttribute('class'), 'verdict valid green');

    text = await paste(page, reference.slice(0, 40) + (reference[40] === 'A' ? 'B' : 'A') + reference.slice(41), 'tampered');
    assert.match(text, /NOT VALID/);
    assert.match(text, /altered|forged/);
    assert.match(text, /被改动|伪造|损坏/);

    text = await paste(page, unknownIssuer, 'unknown-issuer');
    assert.match(text, /NOT VALID/);
    assert.match(text, /not trusted here/);
    assert.match(text, /unknown_key/);

    // Keyboard only: Ctrl+Enter in the text box verifies, and the verdict takes the focus.
    await page.locator('#clear').click();
    await page.locator('#text').focus();
    await page.keyboard.insertText(reference);
    await page.keyboard.press('Control+Enter');
    assert.match(await verdict(page, 'valid-keyboard'), /VALID/);
    assert.equal(await page.evaluate(() => document.activeElement.id), 'verdict');

    // A picture, by the file picker.
    await page.locator('#clear').click();
    await page.locator('#file').setInputFiles(join(fixtures, 'images/qr-reference-ecc-m.png'));
    assert.match(await verdict(page, 'valid-uploaded'), /Green code · VALID/);

    // Two days later the same code has expired.
    await page.clock.setFixedTime(NOW + 2 * 86400 * 1000);
    text = await paste(page, reference, 'expired');
    assert.match(text, /NOT VALID/);
    assert.match(text, /has expired/);
    assert.match(text, /已过期/);

    if (dcc) {
      await page.clock.setFixedTime(Date.parse(dcc.TESTCTX.VALIDATIONCLOCK));
      text = await paste(page, dcc.PREFIX, 'dcc-pasted');
      assert.match(text, /VALID/);
      assert.doesNotMatch(text, /NOT VALID/);
      assert.match(text, /EU Digital COVID Certificate/);
      await page.locator('#clear').click();
      await page.locator('#file').setInputFiles(join(peersDcc, 'AT/png/1.png'));
      assert.match(await verdict(page, 'dcc-uploaded'), /EU Digital COVID Certificate/);
    }
    if (shc) {
      await page.clock.setFixedTime(Date.parse('2023-06-23T00:00:00Z'));
      text = await paste(page, shc, 'shc-pasted');
      assert.match(text, /VALID/);
      assert.doesNotMatch(text, /NOT VALID/);
      assert.match(text, /SMART Health Card/);
      assert.match(text, /John B. Anyperson/);
    }

    assert.deepEqual(requests, [], 'the page made requests while judging codes');
    assert.equal(site.log.length, served, `the server saw requests after load: ${site.log.slice(served).join(', ')}`);

    // The network gone: the service worker serves the page and the package, and it still works.
    await new Promise((r) => site.server.close(r));
    site.server.closeAllConnections?.();
    await page.clock.setFixedTime(NOW);
    await page.reload();
    await ready(page);
    text = await paste(page, reference, 'offline-valid');
    assert.match(text, /Green code · VALID/);
  } finally {
    await context.cleanup();
    site = await serve(data);
  }
});

test('Chinese browser, phone-sized screen', async () => {
  const context = await launch([], { locale: 'zh-CN', viewport: { width: 375, height: 740 }, isMobile: true, hasTouch: true });
  try {
    const page = await context.newPage();
    await page.clock.setFixedTime(NOW);
    await page.goto(`${site.url}/?bundle=/test-data/bundle.json`);
    await ready(page);
    assert.match(await page.locator('h1').innerText(), /健康码核验/);
    let text = await paste(page, reference, 'zh-valid-phone');
    assert.match(text, /绿码 · 有效/);
    assert.match(text, /签发方\s+钉钉/);
    assert.match(text, /剩余有效期\s+\d+小时/);
    text = await paste(page, unknownIssuer, 'zh-unknown-issuer-phone');
    assert.match(text, /无效/);
    assert.match(text, /签发方不受信任/);
    assert.match(text, /not trusted here/, 'the reason is given in English too');
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `the page is ${overflow}px wider than a phone screen`);
    // The language button switches to English.
    await page.locator('#lang').click();
    assert.match(await page.locator('#verdict').innerText(), /NOT VALID/);
  } finally {
    await context.cleanup();
  }
});

/** A Y4M video (4:2:0) of one 640×480 frame showing the QR picture, for Chromium's fake camera. */
function y4mOf(png, path) {
  const { width, height, luma } = readPng(png);
  const W = 640;
  const H = 480;
  const scale = Math.max(1, Math.floor(Math.min((W - 40) / width, (H - 40) / height)));
  const x0 = Math.floor((W - width * scale) / 2);
  const y0 = Math.floor((H - height * scale) / 2);
  const y = new Uint8Array(W * H).fill(235);
  for (let j = 0; j < height * scale; j++) {
    for (let i = 0; i < width * scale; i++) {
      // Full-range grey to the video range (16–235) Chromium expects of Y4M.
      y[(y0 + j) * W + x0 + i] = 16 + Math.round((luma[Math.floor(j / scale) * width + Math.floor(i / scale)] * 219) / 255);
    }
  }
  const chroma = new Uint8Array((W / 2) * (H / 2)).fill(128);
  const frame = Buffer.concat([Buffer.from('FRAME\n'), y, chroma, chroma]);
  writeFileSync(path, Buffer.concat([Buffer.from(`YUV4MPEG2 W${W} H${H} F30:1 Ip A1:1 C420jpeg\n`), frame, frame]));
}

test('the fake camera: a code held up gives its verdict on screen', async () => {
  const cam = join(OUT, 'cam.y4m');
  y4mOf(readFileSync(join(fixtures, 'images/qr-reference-ecc-m.png')), cam);
  const context = await launch(['--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream', `--use-file-for-fake-video-capture=${cam}`]);
  try {
    await context.grantPermissions(['camera'], { origin: site.url });
    const page = await context.newPage();
    await page.clock.setFixedTime(NOW);
    await page.goto(`${site.url}/?bundle=/test-data/bundle.json`);
    await ready(page);
    const started = Date.now();
    await page.locator('#scan').click();
    const text = await verdict(page, 'camera-valid');
    const ms = Date.now() - started;
    assert.match(text, /Green code · VALID/);
    assert.match(text, /张三/);
    assert.equal(await page.locator('#camera').isHidden(), true, 'the camera stops after a code');
    // Reported, not asserted tightly (the machine is shared): the floor is 1 s.
    console.log(`camera: verdict on screen ${ms} ms after the scan button (floor 1000 ms)`);
    writeFileSync(join(OUT, 'camera-ms.txt'), `${ms}\n`);
    assert.ok(ms < 20_000, `no verdict within 20 s (${ms} ms)`);
  } finally {
    await context.cleanup();
  }
});
