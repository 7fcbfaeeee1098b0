// The staff screens of issue 5 (工作台), in a real headless Chromium against the real server: a
// town-center staff member logs in, finds the 工作台 entry, sees the window statistics of their
// own town (in 2027 nobody has paid yet, so every enrolled person is unpaid), pages through the
// unpaid list, sees amounts by tier for an earlier year, downloads the CSV (BOM and Chinese
// header intact), still sees the last statistics and the last unpaid list offline, each with
// its time, and after logout nothing of the list is left on the phone. A resident account gets
// no entry and a plain 没有权限 on the screen.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { TestServer, launchBrowser, phone, screenshot, YEAR } from './harness.mjs';

const BIN = process.env.YANGLAO_SERVER_BIN ?? new URL('../../target/debug/yanglao-server', import.meta.url).pathname;
const STAFF_MOBILE = '13955550001';
const STAFF_PW = 'staff-password-123';
const TOWN = '龙山街道';

let server;
let browser;

before(async () => {
  server = await TestServer.create();
  execFileSync(BIN, ['create-staff', '--database-url', server.db, '--mobile', STAFF_MOBILE, '--password-env', 'STAFF_PW',
    '--role', 'town', '--town', TOWN], { env: { ...process.env, STAFF_PW } });
  await server.start();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

/** What the server itself says, to compare the screen with. */
async function api(path, token) {
  const reply = await fetch(`${server.url}/api/v1${path}`, { headers: { Authorization: `Bearer ${token}` } });
  return { status: reply.status, body: await reply.json() };
}

async function staffToken() {
  const reply = await fetch(`${server.url}/api/v1/sessions`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ mobile: STAFF_MOBILE, password: STAFF_PW }),
  });
  assert.equal(reply.status, 200);
  return (await reply.json()).token;
}

const number = async (page, id) => Number((await page.getByTestId(id).textContent()).trim());

test('staff: the window at a glance, the unpaid list, CSV export, offline figures', async () => {
  const token = await staffToken();
  const expected = (await api(`/staff/stats?year=${YEAR}`, token)).body;
  assert.equal(expected.town, TOWN);
  assert.ok(expected.enrolled > 0, 'the demo roster has enrolled people in the town');

  const context = await phone(browser);
  const page = await context.newPage();
  await page.goto(`${server.url}/login`);
  await page.getByTestId('login-mobile').fill(STAFF_MOBILE);
  await page.getByTestId('login-password').fill(STAFF_PW);
  await page.getByTestId('login-submit').click();
  await page.getByTestId('nav-staff').click();

  // 1. The figures of this year: everyone enrolled is unpaid in 2027.
  await page.locator(`[data-testid="staff-stats"][data-year="${YEAR}"]`).waitFor();
  assert.equal(await page.getByTestId('staff-year').inputValue(), String(YEAR));
  assert.equal(await number(page, 'staff-enrolled'), expected.enrolled);
  assert.equal(await number(page, 'staff-paid'), 0);
  assert.equal(await number(page, 'staff-unpaid'), expected.enrolled);
  assert.equal(await number(page, 'staff-days-left'), expected.days_left);
  assert.ok(expected.days_left > 0, 'the server clock starts inside the window');
  assert.equal(await page.getByTestId('staff-tier-row').count(), 0);

  // 2. The unpaid list, 50 at a time, all from the staff member's own town.
  const items = page.getByTestId('staff-unpaid-item');
  await items.first().waitFor();
  const firstPage = Math.min(50, expected.unpaid);
  assert.equal(await items.count(), firstPage);
  const first = await items.first().textContent();
  assert.match(first, /\*{4}/, 'ID numbers are masked');
  if (expected.unpaid > 50) {
    await page.getByTestId('staff-more').click();
    await page.waitForFunction((n) => document.querySelectorAll('[data-testid="staff-unpaid-item"]').length === n,
      Math.min(100, expected.unpaid));
  }
  const villages = ['岛山村', '东山村', '西楼村'];
  for (const text of await items.allTextContents()) {
    assert.ok(villages.some((v) => text.includes(v)), `${text} is in ${TOWN}`);
  }
  await screenshot(page, 'staff');

  // 3. The CSV, byte for byte as the server wrote it: BOM first, then the Chinese header.
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('staff-export').click()]);
  // Named by the town center's own town and the server's day (shared::exports), as the server names it.
  assert.equal(download.suggestedFilename(), `未缴费名单-${TOWN}-${YEAR}-03-01.csv`);
  const bytes = readFileSync(await download.path());
  assert.deepEqual([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf]);
  const lines = bytes.subarray(3).toString('utf8').trim().split(/\r?\n/);
  assert.match(lines[0], /^姓名,身份证号码/);
  assert.equal(lines.length - 1, expected.unpaid);

  // 4. An earlier year: demo residents paid then, so there are amounts by tier.
  const earlier = (await api(`/staff/stats?year=${YEAR - 1}`, token)).body;
  await page.getByTestId('staff-year').selectOption(String(YEAR - 1));
  await page.locator(`[data-testid="staff-stats"][data-year="${YEAR - 1}"]`).waitFor();
  assert.equal(await number(page, 'staff-paid'), earlier.paid);
  assert.equal(await page.getByTestId('staff-tier-row').count(), earlier.tiers.length);
  assert.ok(earlier.tiers.length > 0);
  await page.getByTestId('staff-year').selectOption(String(YEAR));
  await page.locator(`[data-testid="staff-stats"][data-year="${YEAR}"]`).waitFor();

  // 5. Elder mode, at the narrowest phone.
  await page.getByTestId('elder-toggle').click();
  await page.setViewportSize({ width: 320, height: 700 });
  await screenshot(page, 'staff-elder-320');
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `no sideways scrolling at 320px (overflow ${overflow}px)`);
  await page.getByTestId('elder-toggle').click();
  await page.setViewportSize({ width: 360, height: 780 });

  // 6. Offline: the last figures and the last unpaid list from the phone, each with its time
  // (a village assistant walking the village still sees whom to visit), masked as sent.
  const online = await items.allTextContents();
  await context.setOffline(true);
  await page.getByTestId('nav-home').click();
  await page.getByTestId('nav-staff').click();
  await page.getByTestId('staff-data-time').waitFor();
  assert.match(await page.getByTestId('staff-data-time').textContent(), /数据时间/);
  assert.equal(await number(page, 'staff-enrolled'), expected.enrolled);
  await page.getByTestId('staff-list-time').waitFor();
  assert.match(await page.getByTestId('staff-list-time').textContent(), /^(刚刚保存|\d+ 分钟前)的名单（离线）$/);
  assert.deepEqual(await items.allTextContents(), online, 'the same rows as loaded online');
  assert.equal((await page.getByTestId('staff-list-error').textContent()).trim(), '', 'no "needs a network"');
  await screenshot(page, 'staff-offline');
  await page.getByTestId('elder-toggle').click();
  await screenshot(page, 'staff-offline-elder');
  await page.getByTestId('elder-toggle').click();

  // 7. Logout forgets the area's names, offline too: nothing of the list is left on the phone.
  await page.getByTestId('nav-home').click();
  page.once('dialog', (d) => d.accept());
  await page.getByTestId('logout').click();
  await page.waitForURL(/\/login/);
  const kept = await page.evaluate(() => new Promise((done, fail) => {
    const open = indexedDB.open('yanglao');
    open.onerror = () => fail(open.error);
    open.onsuccess = () => {
      const get = open.result.transaction('kv').objectStore('kv').get('staff_unpaid');
      get.onsuccess = () => done(get.result ?? null);
      get.onerror = () => fail(get.error);
    };
  }));
  assert.equal(kept, null, 'the unpaid list is gone after logout');
  await context.setOffline(false);
  await context.close();
});

test('a resident sees no 工作台 and is told 没有权限', async () => {
  const context = await phone(browser);
  const page = await context.newPage();
  await page.goto(`${server.url}/register`);
  await page.getByTestId('register-mobile').fill('13800009999');
  await page.getByTestId('register-password').fill('mima-12345');
  await page.getByTestId('register-password2').fill('mima-12345');
  // The account (staff or not) is learnt from GET /me right after registering.
  const me = page.waitForResponse((r) => r.url().endsWith('/api/v1/me'));
  await page.getByTestId('register-submit').click();
  await page.getByTestId('add-payee').waitFor();
  await me;
  await page.getByTestId('nav-help').waitFor();
  assert.equal(await page.getByTestId('nav-staff').count(), 0);

  await page.goto(`${server.url}/staff`);
  await page.getByTestId('staff-error').filter({ hasText: '没有权限' }).waitFor();
  assert.equal(await page.getByTestId('nav-staff').count(), 0);
  await context.close();
});
