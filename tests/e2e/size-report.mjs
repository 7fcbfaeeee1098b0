// What a first visit costs, measured (scripts/size-report.sh runs this; not part of the tests):
//   1. every file of dist/ with its raw and brotli size, and whether a resident's first visit
//      loads it;
//   2. the bytes a real first visit moves: a fresh Chromium profile opens the start page
//      through a counting proxy in front of the real server, and waits until the app is up and
//      its service worker has installed (so the worker's own fetches are counted too);
//   3. Lighthouse (mobile: slow 4G, 4x CPU) on the start page, when LIGHTHOUSE names its CLI.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { TestServer, countingProxy, launchBrowser, workerActive } from './harness.mjs';

const DIST = process.env.YANGLAO_DIST ?? new URL('../../dist', import.meta.url).pathname;

function files(dir, prefix = '') {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return files(path, `${prefix}${name}/`);
    return name.endsWith('.br') || name.endsWith('.gz') ? [] : [`${prefix}${name}`];
  });
}

function fileTable() {
  const precache = JSON.parse(readFileSync(join(DIST, 'precache.json'), 'utf8'));
  const resident = new Set(precache.files.map((f) => f.replace(/^\//, '')).concat(['index.html', 'sw.js', 'precache.json']));
  const rows = files(DIST).map((file) => {
    const raw = statSync(join(DIST, file)).size;
    const br = existsSync(join(DIST, `${file}.br`)) ? statSync(join(DIST, `${file}.br`)).size : raw;
    return { file, raw, br, resident: resident.has(file) };
  }).sort((a, b) => b.br - a.br);
  console.log('| file | raw B | brotli B | first visit |');
  console.log('| --- | ---: | ---: | --- |');
  for (const r of rows) console.log(`| ${r.file} | ${r.raw} | ${r.br} | ${r.resident ? 'yes' : r.file.startsWith('yanglao-full-') ? 'full bundle only' : 'no (the installer\'s)'} |`);
  const sum = rows.filter((r) => r.resident).reduce((n, r) => n + r.br, 0);
  console.log(`| **resident first visit, files** | | **${sum}** | |`);
  return sum;
}

async function firstVisit(server) {
  const proxy = await countingProxy(server);
  const browser = await launchBrowser();
  const context = await browser.newContext({ viewport: { width: 360, height: 780 }, locale: 'zh-CN' });
  const page = await context.newPage();
  const requests = [];
  page.on('request', (r) => requests.push(r.url()));
  await page.goto(`${proxy.url}/`);
  await page.getByTestId('nav-home').waitFor({ timeout: 60_000 });
  await workerActive(page);
  // Let the last replies finish on the wire.
  await page.waitForTimeout(1000);
  const { down, up } = proxy.bytes();
  const served = requests.filter((u) => !u.includes('/api/')).length;
  await browser.close();
  proxy.close();
  console.log('\n| first visit (fresh profile, through the served origin) | bytes |');
  console.log('| --- | ---: |');
  console.log(`| server to phone, everything (headers, API, worker install) | ${down} |`);
  console.log(`| phone to server | ${up} |`);
  console.log(`| page requests for files (not API) | ${served} |`);
  return down;
}

function lighthouse(server) {
  const cli = process.env.LIGHTHOUSE;
  if (!cli) {
    console.log('\n(Lighthouse skipped: LIGHTHOUSE is not set; scripts/size-report.sh sets it)');
    return;
  }
  const out = execFileSync(cli, [server.url + '/', '--quiet', '--output=json', '--only-categories=performance,accessibility',
    '--form-factor=mobile', '--throttling-method=simulate',
    '--chrome-flags=--headless=new --no-sandbox --disable-gpu --disable-background-networking --disable-component-update --disable-sync --disable-quic'],
  { encoding: 'utf8', env: { ...process.env, CHROME_PATH: process.env.CHROMIUM ?? '/usr/bin/chromium' }, maxBuffer: 64 << 20 });
  const report = JSON.parse(out);
  const audit = (id) => report.audits[id];
  console.log('\n| Lighthouse mobile, start page | value |');
  console.log('| --- | ---: |');
  console.log(`| performance | ${Math.round(report.categories.performance.score * 100)} |`);
  console.log(`| accessibility | ${Math.round(report.categories.accessibility.score * 100)} |`);
  console.log(`| FCP | ${audit('first-contentful-paint').displayValue} |`);
  console.log(`| LCP | ${audit('largest-contentful-paint').displayValue} |`);
  console.log(`| TBT | ${audit('total-blocking-time').displayValue} |`);
  console.log(`| CLS | ${audit('cumulative-layout-shift').displayValue} |`);
  for (const [id, a] of Object.entries(report.audits)) {
    if (a.score !== null && a.score < 1 && report.categories.accessibility.auditRefs.some((r) => r.id === id && r.weight > 0)) {
      console.log(`  accessibility: ${id}: ${a.title}`);
    }
  }
}

fileTable();
const server = await TestServer.create();
await server.start();
try {
  await firstVisit(server);
  lighthouse(server);
} finally {
  await server.stop();
}
