// One way to write offline (issue 10), in a real headless Chromium against the real server:
// a person and a card removed with no network leave the phone's lists at once and are gone
// on the server after reconnecting; and switching the language keeps a form being filled in.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { TestServer, launchBrowser, phone, screenshot } from './harness.mjs';
import { PASSWORD, SANDBOX_CARD, addPerson, payablePeople, register } from './flows.mjs';

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

async function onServer(mobile, path) {
  const login = await fetch(`${server.url}/api/v1/sessions`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ mobile, password: PASSWORD }),
  });
  assert.equal(login.status, 200);
  const { token } = await login.json();
  const reply = await fetch(`${server.url}/api/v1${path}`, { headers: { Authorization: `Bearer ${token}` } });
  assert.equal(reply.status, 200);
  return reply.json();
}

async function eventually(check, timeout = 30_000) {
  const deadline = Date.now() + timeout;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 250));
  }
}

test('a person and a card removed offline are gone on the server after reconnecting', async () => {
  const context = await phone(browser);
  const page = await context.newPage();
  page.on('dialog', (dialog) => dialog.accept()); // 确定从列表中删除？
  const mobile = '13911110101';
  const [first, second] = payablePeople(server);

  // Online: two people and a card, all on the server.
  await register(page, server, mobile);
  await addPerson(page, first);
  await addPerson(page, second);
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="payee-status"][data-state="unpaid"]').length === 2);
  await page.getByTestId('nav-cards').click();
  await page.getByTestId('card-number').fill(SANDBOX_CARD);
  await page.getByTestId('bind-card-submit').click();
  await page.getByTestId('card-item').first().waitFor();
  assert.equal((await onServer(mobile, '/payees')).length, 2);
  assert.equal((await onServer(mobile, '/methods')).length, 1);

  // Offline: the card and one person removed; both leave the lists at once.
  await context.setOffline(true);
  await page.getByTestId('card-remove').click();
  await page.getByTestId('card-item').waitFor({ state: 'detached' });
  await page.getByTestId('nav-home').click();
  const row = page.getByTestId('payee-item').first();
  const removed = await row.getAttribute('data-payee-id');
  await row.locator('a').click();
  await page.getByTestId('remove-payee').click();
  await page.getByTestId('payee-list').waitFor();
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="payee-item"]').length === 1);
  assert.equal(await page.locator(`[data-payee-id="${removed}"]`).count(), 0);
  await screenshot(page, '20-removed-offline');
  // Not yet on the server: the phone had no network.
  assert.equal((await onServer(mobile, '/payees')).length, 2);

  // Back online: the removals go out by themselves.
  await context.setOffline(false);
  await eventually(async () => (await onServer(mobile, '/payees')).length === 1);
  const left = await onServer(mobile, '/payees');
  assert.notEqual(left[0].id, removed);
  await eventually(async () => (await onServer(mobile, '/methods')).length === 0);
  // And the person does not come back on the phone with the next pull.
  await page.getByTestId('sync-now').click();
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="payee-item"]').length === 1);
  await context.close();
});

test('switching the language keeps a form being filled in', async () => {
  const context = await phone(browser);
  const page = await context.newPage();
  const [person] = payablePeople(server);
  await register(page, server, '13911110102');
  await page.getByTestId('add-payee').click();
  await page.getByTestId('payee-name').fill(person.name);
  await page.getByTestId('payee-id-number').fill(person.id);
  await page.getByTestId('payee-id-ok').waitFor();
  assert.equal(await page.locator('main h1').textContent(), '新增缴费人员');

  await page.getByTestId('lang-toggle').click();
  await page.waitForFunction(() => document.querySelector('main h1')?.textContent === 'Add a person');
  assert.equal(await page.getByTestId('payee-submit').textContent(), 'Save');
  assert.equal(await page.getByTestId('payee-name').inputValue(), person.name);
  assert.equal(await page.getByTestId('payee-id-number').inputValue(), person.id);
  assert.equal(await page.evaluate(() => document.documentElement.lang), 'en');
  await screenshot(page, '21-form-after-language-switch');

  // Back to Chinese, still as typed, and the form still saves.
  await page.getByTestId('lang-toggle').click();
  await page.waitForFunction(() => document.querySelector('main h1')?.textContent === '新增缴费人员');
  assert.equal(await page.getByTestId('payee-name').inputValue(), person.name);
  await page.getByTestId('payee-submit').click();
  await page.getByTestId('payee-list').waitFor();
  assert.equal(await page.getByTestId('payee-item').count(), 1);
  await context.close();
});
