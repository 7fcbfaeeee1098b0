// A first visit on a village network (issue 12): each byte once, a page before the wasm, the
// resident bundle only, and the full bundle only for the screens that need it.
//   - through a proxy that reads every request line, a fresh phone opens the start page and
//     waits for its service worker: no file crosses the network twice (the worker keeps what
//     the page fetched from the HTTP cache), and none of the full bundle's files at all;
//   - the static first screen is on the page before any wasm has run;
//   - opening 参保登记 loads the full bundle, which then works offline too.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { TestServer, countingProxy, launchBrowser, phone, workerActive } from './harness.mjs';
import { register } from './flows.mjs';

let server;
let browser;

before(async () => {
  server = await TestServer.create();
  await server.start();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

// A fresh phone registered as `number`, its worker up, on the home screen (resident bundle).
async function registeredAtHome(number) {
  const context = await phone(browser);
  const page = await context.newPage();
  await register(page, server, number);
  await workerActive(page);
  await page.getByTestId('nav-home').click();
  return { context, page };
}

test('a first visit fetches each file once and only the resident bundle', async () => {
  const proxy = await countingProxy(server);
  const context = await phone(browser);
  const page = await context.newPage();
  await page.goto(`${proxy.url}/`);
  await page.getByTestId('nav-home').waitFor();
  await workerActive(page);
  await page.waitForTimeout(500);
  const files = proxy.requests.filter((r) => r.startsWith('GET ') && !r.includes('/api/') && r !== 'GET /precache.json' && r !== 'GET /sw.js');
  const counts = new Map();
  for (const r of files) counts.set(r, (counts.get(r) ?? 0) + 1);
  // The shell is no-cache: the worker's copy is a revalidation (304, no body); every other
  // file exactly once.
  for (const [request, n] of counts) {
    assert.ok(n <= (request === 'GET /' ? 2 : 1), `${request} crossed the network ${n} times: ${files.join(', ')}`);
  }
  assert.ok(files.some((r) => /^GET \/yanglao-app-[0-9a-f]{16}_bg\.wasm$/.test(r)), `the resident wasm: ${files}`);
  assert.ok(!files.some((r) => r.includes('yanglao-full-')), `no full bundle for a resident: ${files}`);
  await context.close();
  proxy.close();
});

test('the first screen is readable before the wasm runs', async () => {
  const context = await phone(browser);
  const page = await context.newPage();
  // Hold the wasm back: what the person sees meanwhile is the static page.
  let release;
  const held = new Promise((resolve) => { release = resolve; });
  await page.route(/_bg\.wasm$/, async (route) => { await held; await route.continue(); });
  await page.goto(`${server.url}/`, { waitUntil: 'domcontentloaded' });
  const boot = page.locator('#boot');
  await boot.waitFor();
  assert.match(await boot.textContent(), /城乡居民基本养老保险缴费/);
  assert.match(await page.locator('#boot-left').textContent(), /正在加载/);
  release();
  await page.getByTestId('nav-home').waitFor();
  assert.equal(await page.locator('#boot').count(), 0, 'the app replaced the first screen');
  await context.close();
});

test('applications load the full bundle, which then opens offline', async () => {
  const context = await phone(browser);
  const page = await context.newPage();
  const wasm = [];
  page.on('request', (r) => { if (r.url().endsWith('_bg.wasm')) wasm.push(new URL(r.url()).pathname); });
  await register(page, server, '13811113333');
  await workerActive(page);
  assert.ok(wasm.every((p) => p.startsWith('/yanglao-app-')), `resident only so far: ${wasm}`);
  await page.getByTestId('nav-home').click();
  await page.getByTestId('nav-apply').click();
  await page.getByTestId('new-enrolment').waitFor();
  assert.ok(wasm.some((p) => p.startsWith('/yanglao-full-')), `the full bundle: ${wasm}`);
  assert.equal(new URL(page.url()).pathname, '/apply');

  await context.setOffline(true);
  await page.reload();
  await page.getByTestId('new-enrolment').waitFor();
  await context.close();
});

test('offline, a screen of the full bundle never opened before says so and leads back', async () => {
  const { context, page } = await registeredAtHome('13811114444');
  await page.getByTestId('payee-list').or(page.getByTestId('nav-apply')).first().waitFor();
  await context.setOffline(true);
  await page.getByTestId('nav-apply').click();
  await page.locator('#boot-left').filter({ hasText: '没有网络' }).waitFor();
  await page.locator('#boot-back').click();
  await page.getByTestId('nav-apply').waitFor();
  assert.equal(new URL(page.url()).pathname, '/');
  await context.close();
});

test('a phone that holds a form keeps the full bundle, and a resident start moves there to send it', async () => {
  const { context, page } = await registeredAtHome('13811115555');
  await page.getByTestId('nav-apply').click();
  await page.getByTestId('new-enrolment').waitFor();

  // Filed offline: the form waits on the phone, which now keeps the full bundle.
  await context.setOffline(true);
  await page.getByTestId('new-enrolment').click();
  await page.getByTestId('enrol-name').fill('孙玉兰');
  await page.getByTestId('enrol-id-number').fill('371003198506157727');
  await page.getByTestId('enrol-id-ok').filter({ hasText: '1985' }).waitFor();
  await page.getByTestId('enrol-town-choice').selectOption('龙山街道');
  await page.getByTestId('enrol-village-choice').selectOption('西楼村');
  await page.getByTestId('enrol-mobile').fill('13811115555');
  await page.getByTestId('enrol-submit').click();
  await page.locator('[data-testid="application-status"][data-state="queued"]').waitFor();
  await page.waitForFunction(() => localStorage.getItem('yanglao.bundle') === 'full');
  const home = await context.newPage();
  await home.goto(`${server.url}/`);
  await home.getByTestId('nav-apply').waitFor();
  assert.equal(await home.evaluate(() => document.documentElement.dataset.bundle), 'full');
  await home.close();
  await page.close();

  // A phone whose flag is gone (cleared, or kept by an older version) starts in the resident
  // build: it sees the form it cannot send, moves to the full bundle (kept, so offline too),
  // and the form goes out once there is a network.
  const start = await context.newPage();
  await start.goto(`${server.url}/apply`);
  // Once the form shows, the app has loaded what the phone keeps and set the flag itself:
  // cleared before that, its start would set it again.
  await start.locator('[data-testid="application-status"][data-state="queued"]').waitFor();
  await start.evaluate(() => localStorage.removeItem('yanglao.bundle'));
  const wasm = [];
  start.on('request', (r) => { if (r.url().endsWith('_bg.wasm')) wasm.push(new URL(r.url()).pathname); });
  await start.goto(`${server.url}/`);
  await start.waitForFunction(() => document.documentElement.dataset.bundle === 'full');
  assert.ok(wasm[0].startsWith('/yanglao-app-') && wasm.at(-1).startsWith('/yanglao-full-'), `resident, then full: ${wasm}`);
  await start.getByTestId('nav-apply').waitFor();
  await context.setOffline(false);
  await start.getByTestId('nav-apply').click();
  await start.locator('[data-testid="application-status"][data-state="submitted"]').waitFor({ timeout: 20_000 });
  await context.close();
});
