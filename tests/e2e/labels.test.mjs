// The people you pay for, by the names you use (issue 13 item 5), in a real headless Chromium
// against the real server: a payer labels their mother 妈妈 with no network; the label shows
// at once beside the masked name (home, the person's screen), reaches the server once online,
// and the payer's other phone gets it on its next sync. Another payer of the same person sees
// none of it. The label follows the person through the pay flow and into the payments list
// and the receipt.
//
// The son's first phone has a clock more than a year off (issue 14 item 7): 上次同步 and
// 准备时间 still say the server's day, 1 March, as everything else the server decides does.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { TestServer, YEAR, launchBrowser, logIn, phone, screenshot } from './harness.mjs';
import { PASSWORD, SANDBOX_CARD, addPerson, payAll, payablePeople, register } from './flows.mjs';

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

async function tokenOf(mobile) {
  const login = await fetch(`${server.url}/api/v1/sessions`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ mobile, password: PASSWORD }),
  });
  assert.equal(login.status, 200);
  return (await login.json()).token;
}

async function payeesOnServer(mobile) {
  const reply = await fetch(`${server.url}/api/v1/payees`, { headers: { Authorization: `Bearer ${await tokenOf(mobile)}` } });
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

/** A phone whose own clock is `days` days off: `Date.now()` and `new Date()` say so. */
async function clockOff(context, days) {
  await context.addInitScript((offset) => {
    const RealDate = Date;
    class OffDate extends RealDate {
      constructor(...args) {
        super(...(args.length ? args : [RealDate.now() + offset]));
      }
      static now() {
        return RealDate.now() + offset;
      }
    }
    globalThis.Date = OffDate;
  }, days * 24 * 3600 * 1000);
}

/** The server's day as the app writes it (the e2e server's clock starts on 1 March). */
const SERVER_DAY = `${YEAR}年3月1日`;

/** The label shown in the home list's row of the one person listed. */
const homeLabel = (page) => page.getByTestId('payee-item').first().getByTestId('payee-label');

test('a label set offline shows at once, reaches the other phone, and no other payer', async () => {
  const son = '13911112001';
  const daughter = '13911112002';
  const [mother] = payablePeople(server);

  // Phone 1, its clock 400 days ahead: the son adds his mother, waits for the server's check.
  const first = await phone(browser);
  await clockOff(first, 400);
  const page = await first.newPage();
  assert.ok(!(await page.evaluate(() => new Date().toISOString())).startsWith(`${YEAR}-03-01`));
  await register(page, server, son);
  await addPerson(page, mother);
  await page.locator('[data-testid="payee-status"][data-state="unpaid"]').waitFor();

  // Offline, he calls her 妈妈: shown at once, beside the masked name.
  await first.setOffline(true);
  await page.getByTestId('payee-item').first().locator('a').click();
  await page.getByTestId('label-input').fill('一二三四五六七八九十一');
  await page.getByTestId('label-input-error').filter({ hasText: '最多10个字' }).waitFor();
  assert.ok(await page.getByTestId('label-save').isDisabled(), 'a label that breaks the rule is not saved');
  await page.getByTestId('label-input').fill(' 妈妈 ');
  await page.getByTestId('label-save').click();
  await page.locator('h1 [data-testid="payee-label"]').filter({ hasText: '妈妈' }).waitFor();
  await page.getByTestId('label-waiting').waitFor();
  await screenshot(page, 'label-person-offline');
  await page.getByTestId('nav-home').click();
  assert.equal(await homeLabel(page).textContent(), '妈妈');
  assert.equal((await payeesOnServer(son))[0].label, undefined, 'not on the server yet');

  // Online again: the server has it, and the phone says nothing waits any more.
  await first.setOffline(false);
  await eventually(async () => (await payeesOnServer(son))[0].label === '妈妈');
  await page.getByTestId('payee-item').first().locator('a').click();
  await eventually(async () => (await page.getByTestId('label-waiting').count()) === 0);
  await page.getByTestId('elder-toggle').click();
  await screenshot(page, 'label-person-elder');
  await page.getByTestId('elder-toggle').click();

  // Phone 2 of the same account gets it on its first sync.
  const second = await phone(browser);
  const other = await second.newPage();
  await logIn(other, server, son, PASSWORD);
  await homeLabel(other).filter({ hasText: '妈妈' }).waitFor();

  // Another payer of the same person: no label, in the app or in any answer of the server.
  const third = await phone(browser);
  const stranger = await third.newPage();
  await register(stranger, server, daughter);
  await addPerson(stranger, mother);
  await stranger.locator('[data-testid="payee-status"][data-state="unpaid"]').waitFor();
  assert.equal(await stranger.getByTestId('payee-label').count(), 0);
  assert.equal((await payeesOnServer(daughter))[0].label, undefined);
  await third.close();

  // The pay flow, the payments list and the receipt name her 妈妈 too.
  await page.getByTestId('nav-cards').click();
  await page.getByTestId('card-number').fill(SANDBOX_CARD);
  await page.getByTestId('bind-card-submit').click();
  await page.getByTestId('card-item').first().waitFor();
  await page.getByTestId('nav-home').click();
  await page.getByTestId('start-pay').click();
  await page.locator('.choice [data-testid="payee-label"]').filter({ hasText: '妈妈' }).waitFor();
  await page.getByTestId('nav-home').click();
  await payAll(page);
  const row = page.getByTestId('payment-item').first();
  assert.equal(await row.getByTestId('payee-label').textContent(), '妈妈');
  // The server's clock, not the phone's, for when it was prepared and when the phone synced.
  await row.getByTestId('prepared-at').filter({ hasText: SERVER_DAY }).waitFor();
  await page.getByTestId('sync-status').filter({ hasText: `上次同步：${SERVER_DAY}` }).waitFor({ timeout: 30_000 });
  await row.getByTestId('receipt-link').waitFor({ timeout: 30_000 });
  await screenshot(page, 'label-payments');
  await row.getByTestId('receipt-link').click();
  await page.getByTestId('receipt').getByTestId('payee-label').filter({ hasText: '妈妈' }).waitFor();
  await first.close();
  await second.close();
});
