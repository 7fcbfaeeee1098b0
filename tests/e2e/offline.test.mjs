// The offline story of issue 4, in a real headless Chromium against the real server:
// register and set up online; stop the server and go offline; the app still opens; payments
// prepared offline survive a reload as 待提交; the server returns and they become 已缴费 with
// exactly two contributions in the ledger; two relatives paying for the same person offline
// are charged once.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { TestServer, launchBrowser, phone, screenshot } from './harness.mjs';
import { SANDBOX_CARD, addPerson, payAll, payablePeople, register } from './flows.mjs';

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

async function bindCard(page) {
  await page.goto(`${server.url}/cards`);
  await page.getByTestId('card-number').fill(SANDBOX_CARD);
  await page.getByTestId('bind-card-submit').click();
  await page.getByTestId('card-item').first().waitFor();
  await page.getByTestId('sandbox-note').first().waitFor();
}

/** Goes home through the app (not a page load), so it also works offline. */
async function home(page) {
  await page.goto(`${server.url}/`);
  await page.getByTestId('payee-list').waitFor();
}

async function waitForStates(page, state, count, timeout = 30_000) {
  await page.waitForFunction(
    ([s, n]) => document.querySelectorAll(`[data-testid="intent-status"][data-state="${s}"]`).length === n,
    [state, count],
    { timeout },
  );
}

async function workerReady(page) {
  await page.evaluate(() => navigator.serviceWorker.ready.then(() => true));
}

test('offline: open, prepare two payments, reload, sync exactly once', async () => {
  const context = await phone(browser);
  const page = await context.newPage();
  const [first, second] = payablePeople(server);

  // 1. Online: register, add two people, bind a card.
  await register(page, server, '13911110001');
  await addPerson(page, first);
  await addPerson(page, second);
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="payee-status"][data-state="unpaid"]').length === 2);
  await bindCard(page);
  await home(page);
  await workerReady(page);
  await screenshot(page, '01-home-online');

  // 2. Offline: the server is gone and the network too; the app opens and lists both people.
  await server.stop();
  await context.setOffline(true);
  await page.reload();
  await page.getByTestId('payee-list').waitFor();
  assert.equal(await page.getByTestId('payee-item').count(), 2);
  await screenshot(page, '02-home-offline');

  // 3. Two payments prepared offline, still 待提交 after a reload.
  assert.equal(await payAll(page), 2);
  await waitForStates(page, 'queued', 2);
  await page.reload();
  await page.getByTestId('payment-list').waitFor();
  await waitForStates(page, 'queued', 2);
  const queuedText = await page.getByTestId('intent-status').first().textContent();
  assert.match(queuedText, /待提交/);
  await screenshot(page, '03-payments-queued-offline');

  // 4. The server is back: both become 已缴费, and the ledger holds exactly two.
  await server.start();
  await context.setOffline(false);
  await waitForStates(page, 'paid', 2);
  await screenshot(page, '04-payments-paid');
  const ledger = server.ledger();
  assert.equal(ledger.paid_in_app, 2);
  assert.equal(ledger.charging, 0);

  // A receipt opens and can be printed.
  await page.getByTestId('receipt-link').first().click();
  await page.getByTestId('receipt-no').waitFor();
  await screenshot(page, '05-receipt');

  // Elder mode: the same screens, larger, one decision at a time.
  await home(page);
  await page.getByTestId('elder-toggle').click();
  await page.locator('.app.elder').waitFor();
  await screenshot(page, '07-home-elder');
  await page.goto(`${server.url}/cards`);
  await page.getByTestId('card-item').first().waitFor();
  await screenshot(page, '08-cards-elder');
  await page.getByTestId('lang-toggle').click();
  await screenshot(page, '09-cards-elder-english');
  await context.close();
});

test('two relatives pay for the same person offline: one charge, the other 无需缴费', async () => {
  const mother = payablePeople(server)[2];
  const before = server.ledger().paid_in_app;
  const phones = [];
  for (const mobile of ['13911110002', '13911110003']) {
    const context = await phone(browser);
    const page = await context.newPage();
    await register(page, server, mobile);
    await addPerson(page, mother);
    await page.waitForFunction(() => document.querySelector('[data-testid="payee-status"][data-state="unpaid"]'));
    await bindCard(page);
    await home(page);
    await workerReady(page);
    phones.push({ context, page });
  }
  for (const { context, page } of phones) {
    await context.setOffline(true);
    await page.reload();
    await payAll(page);
    await waitForStates(page, 'queued', 1);
  }
  await Promise.all(phones.map(({ context }) => context.setOffline(false)));
  const outcome = async (page) => {
    await page.waitForFunction(
      () => document.querySelector('[data-testid="intent-status"][data-state="paid"], [data-testid="intent-status"][data-state="not-needed"]'),
      null,
      { timeout: 30_000 },
    );
    return page.getByTestId('intent-status').first().getAttribute('data-state');
  };
  const states = await Promise.all(phones.map(({ page }) => outcome(page)));
  assert.deepEqual([...states].sort(), ['not-needed', 'paid']);
  for (const [i, { page }] of phones.entries()) await screenshot(page, `06-relative-${i + 1}`);
  assert.equal(server.ledger().paid_in_app, before + 1);
  for (const { context } of phones) await context.close();
});
