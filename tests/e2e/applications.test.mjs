// 参保登记 and 补缴 of issue 5, end to end in a real headless Chromium against the real server,
// with the notice's division of labour: the applicant fills in the form on the phone (offline
// too: it waits as 待提交), the village assistant checks the materials and returns or approves,
// the town center enters the person on the roster, who can then pay; and for back payment, the
// town center checks eligibility year by year, issues a slip for the payable years (tier ×
// years, no subsidy; the refused years named) and records the Agricultural Bank receipt, which
// puts the years in the ledger. The applicant sees each step. The reviewers of the person's
// village and town see the full ID number; another village's assistant does not; the fix form
// and the add-payee form arrive filled in from the filed form.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { TestServer, launchBrowser, phone, screenshot, createStaff, logIn } from './harness.mjs';
import { register } from './flows.mjs';

const TOWN = '龙山街道';
const VILLAGE = '西楼村';
const VILLAGE_STAFF = { mobile: '13955550011', password: 'village-pass-1', role: 'village', town: TOWN, village: VILLAGE };
const TOWN_STAFF = { mobile: '13955550012', password: 'town-pass-123', role: 'town', town: TOWN };
const OTHER_VILLAGE_STAFF = { mobile: '13955550014', password: 'village-pass-2', role: 'village', town: TOWN, village: '岛山村' };

let server;
let browser;

before(async () => {
  server = await TestServer.create();
  createStaff(server, VILLAGE_STAFF);
  createStaff(server, TOWN_STAFF);
  createStaff(server, OTHER_VILLAGE_STAFF);
  await server.start();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

/** A valid 18-digit ID number (GB 11643 check character) for someone not on the roster. */
function newIdNumber(first17) {
  const weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const sum = [...first17].reduce((acc, d, i) => acc + Number(d) * weights[i], 0);
  return first17 + '10X98765432'[sum % 11];
}

/** What the server says to an account (a second look, beside the screen). */
async function api(mobile, password, path) {
  const login = await fetch(`${server.url}/api/v1/sessions`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ mobile, password }),
  });
  const { token } = await login.json();
  return (await fetch(`${server.url}/api/v1${path}`, { headers: { Authorization: `Bearer ${token}` } })).json();
}

/** The applicant's list, reached through the app (so it also works offline). */
async function applications(page) {
  await page.getByTestId('nav-home').click();
  await page.getByTestId('nav-apply').click();
  await page.getByTestId('new-enrolment').waitFor();
}

/** Town and village from the lists the server gave the phone (kept for offline use). */
async function choosePlace(page, town, village) {
  await page.getByTestId('enrol-town-choice').selectOption(town);
  await page.getByTestId('enrol-village-choice').selectOption(village);
}

const card = (page) => page.getByTestId('application').first();

async function waitForState(page, state, timeout = 20_000) {
  await page.locator(`[data-testid="application-status"][data-state="${state}"]`).first().waitFor({ timeout });
}

/** A staff member's phone, opened on one of the review screens. */
async function staffPhone(staff, screen) {
  const context = await phone(browser);
  const page = await context.newPage();
  await logIn(page, server, staff.mobile, staff.password);
  await page.getByTestId('nav-staff').click();
  await page.getByTestId(screen).click();
  return { context, page };
}

/** The review item for application `id`, after reloading the list until it is there. */
async function reviewItem(page, id) {
  const item = page.locator(`[data-testid="review-item"][data-id="${id}"]`);
  for (let tries = 0; tries < 5 && !(await item.count()); tries += 1) {
    await page.reload();
    await page.locator('[data-testid="review-todo"], [data-testid="review-none"]').first().waitFor();
  }
  await item.waitFor();
  return item;
}

/** The rendered height of `locator` in CSS pixels. */
async function height(locator) {
  return (await locator.boundingBox()).height;
}

test('enrolment: filled in offline, returned by the village, fixed, approved, entered, payable', async () => {
  const person = { name: '林晓梅', id: newIdNumber('37100319910312771') };
  const resident = await phone(browser);
  const page = await resident.newPage();
  await register(page, server, '13811112222');
  await applications(page);
  await page.evaluate(() => navigator.serviceWorker.ready.then(() => true));

  // 1. No network: the form is checked on the phone and kept as 待提交, through a reload.
  await resident.setOffline(true);
  await page.getByTestId('new-enrolment').click();
  await page.getByTestId('enrol-name').fill(person.name);
  const typo = person.id.slice(0, 17) + (person.id.endsWith('0') ? '1' : '0');
  await page.getByTestId('enrol-id-number').fill(typo);
  await page.getByTestId('enrol-id-number-error').filter({ hasText: /./ }).waitFor();
  await page.getByTestId('enrol-id-number').fill(person.id);
  await page.getByTestId('enrol-id-ok').filter({ hasText: '1991' }).waitFor();
  await choosePlace(page, TOWN, VILLAGE);
  await page.getByTestId('enrol-mobile').fill('13811112222');
  await page.getByTestId('enrol-submit').click();
  await waitForState(page, 'queued');
  assert.match(await card(page).getByTestId('application-status').textContent(), /待提交/);
  await page.reload();
  await waitForState(page, 'queued');
  await screenshot(page, '20-enrolment-queued-offline');

  // 2. Back online: it is sent once and waits for the village.
  await resident.setOffline(false);
  await waitForState(page, 'submitted');
  assert.match(await card(page).getByTestId('application-status').textContent(), /等待村居审核/);
  const id = await card(page).getAttribute('data-id');
  const sent = await api('13811112222', 'mima-12345', '/enrolments');
  assert.equal(sent.length, 1, 'filed exactly once');

  // 3. The village assistant returns it with a reason; the applicant reads the reason.
  const village = await staffPhone(VILLAGE_STAFF, 'review-enrolments');
  let item = await reviewItem(village.page, id);
  // The assistant of the person's village compares the full name and ID with the papers.
  assert.equal((await item.getByTestId('review-id').textContent()).trim(), person.id);
  assert.equal((await item.getByTestId('review-name').textContent()).trim(), person.name);
  // The list kept on the phone for a weak network holds no full ID number.
  const kept = await village.page.evaluate(() => new Promise((resolve) => {
    const open = indexedDB.open('yanglao');
    open.onsuccess = () => {
      const db = open.result;
      const names = [...db.objectStoreNames];
      const tx = db.transaction(names, 'readonly');
      const all = [];
      let left = names.length;
      for (const n of names) {
        const req = tx.objectStore(n).getAll();
        req.onsuccess = () => { all.push(JSON.stringify(req.result)); left -= 1; if (!left) resolve(all.join('')); };
        req.onerror = () => { left -= 1; if (!left) resolve(all.join('')); };
      }
      if (!names.length) resolve('');
    };
    open.onerror = () => resolve('');
  }));
  assert.ok(!kept.includes(person.id), 'no full ID number in the phone\'s storage');
  // Another village's assistant does not see the form, let alone the ID number.
  const other = await staffPhone(OTHER_VILLAGE_STAFF, 'review-enrolments');
  await other.page.locator('[data-testid="review-todo"], [data-testid="review-none"]').first().waitFor();
  assert.equal(await other.page.locator(`[data-testid="review-item"][data-id="${id}"]`).count(), 0);
  assert.equal(await other.page.getByText(person.id).count(), 0, 'no full ID for another village');
  await other.context.close();
  await item.getByTestId('review-return').click();
  await item.getByTestId('review-item-error').filter({ hasText: '原因' }).waitFor();
  await item.getByTestId('review-reason').fill('户口簿复印件看不清，请重新复印');
  await item.getByTestId('review-return').click();
  await village.page.getByTestId('notice').filter({ hasText: '已处理' }).waitFor();

  await page.reload();
  await waitForState(page, 'failed');
  assert.match(await card(page).getByTestId('application-return-reason').textContent(), /户口簿复印件看不清/);
  await screenshot(page, '21-enrolment-returned');
  // The home screen says there is something to do, in elder mode too.
  await page.getByTestId('nav-home').click();
  assert.match(await page.getByTestId('applications-waiting').textContent(), /1份/);
  await page.getByTestId('applications-waiting').click();
  await page.getByTestId('elder-toggle').click();
  await waitForState(page, 'failed');
  await screenshot(page, '21b-enrolment-returned-elder');
  await page.getByTestId('elder-toggle').click();

  // 4. Fixed and sent again under the same id: the form arrives filled in as filed.
  assert.match(await card(page).getByTestId('application-fix').textContent(), /修改后重新提交/);
  await card(page).getByTestId('application-fix').click();
  await page.waitForFunction(() => document.querySelector('[data-testid="enrol-id-number"]')?.value);
  assert.equal(await page.getByTestId('enrol-name').inputValue(), person.name);
  assert.equal(await page.getByTestId('enrol-id-number').inputValue(), person.id);
  assert.equal(await page.getByTestId('enrol-mobile').inputValue(), '13811112222');
  assert.equal(await page.getByTestId('enrol-town-choice').inputValue(), TOWN);
  assert.equal(await page.getByTestId('enrol-village-choice').inputValue(), VILLAGE);
  // The choosers: label above, full width, at least 44 px tall (48 in elder mode).
  assert.ok((await height(page.getByTestId('enrol-town-choice'))) >= 44);
  await page.getByTestId('elder-toggle').click();
  assert.ok((await height(page.getByTestId('enrol-village-choice'))) >= 48);
  await screenshot(page, '21c-enrolment-fix-prefilled-elder');
  await page.getByTestId('elder-toggle').click();
  await page.getByTestId('enrol-submit').click();
  await waitForState(page, 'submitted');
  assert.equal(await card(page).getAttribute('data-id'), id);

  // 5. The village approves only with the materials checked.
  await village.page.reload();
  item = await reviewItem(village.page, id);
  await item.getByTestId('review-approve').click();
  await item.getByTestId('review-item-error').filter({ hasText: '材料不全' }).waitFor();
  await item.getByTestId('check-household').check();
  await item.getByTestId('check-id-card').check();
  await screenshot(village.page, '26-review-enrolment-village');
  await item.getByTestId('review-approve').click();
  await village.page.getByTestId('notice').filter({ hasText: '已处理' }).waitFor();
  await village.page.locator('[data-testid="review-others"] [data-testid="review-status"][data-state="village_approved"]').waitFor();

  // The village assistant can also fill in the form for a resident who comes in person.
  await village.page.getByTestId('enter-for-resident').click();
  await village.page.getByTestId('enrol-name').fill('林大海');
  await village.page.getByTestId('enrol-id-number').fill(newIdNumber('37100319750518771'));
  await choosePlace(village.page, TOWN, VILLAGE);
  await village.page.getByTestId('enrol-mobile').fill('13811114444');
  await village.page.getByTestId('enrol-submit').click();
  await waitForState(village.page, 'submitted');
  const entered = await card(village.page).getAttribute('data-id');
  await village.page.getByTestId('nav-staff').click();
  await village.page.getByTestId('review-enrolments').click();
  await reviewItem(village.page, entered);
  await village.context.close();

  await page.getByRole('button', { name: '刷新' }).click();
  await card(page).getByTestId('application-status').filter({ hasText: '等待镇社保中心录入' }).waitFor();

  // 6. The town center enters the person on the roster.
  const town = await staffPhone(TOWN_STAFF, 'review-enrolments');
  item = await reviewItem(town.page, id);
  assert.equal((await item.getByTestId('review-id').textContent()).trim(), person.id, 'the town center sees it in full');
  await item.getByTestId('review-approve').click();
  await town.page.locator('[data-testid="review-others"] [data-testid="review-status"][data-state="enrolled"]').waitFor();
  await town.context.close();

  // 7. The applicant sees every step done, adds the person, and can pay for them.
  await page.getByRole('button', { name: '刷新' }).click();
  await waitForState(page, 'paid');
  const marks = await card(page).locator('.timeline__step').evaluateAll((steps) => steps.map((s) => s.dataset.mark));
  assert.deepEqual(marks, ['done', 'done', 'done', 'done']);
  await screenshot(page, '22-enrolment-enrolled');
  // The next step is a button, 48 px or more in elder mode; the add form arrives filled in.
  await page.getByTestId('elder-toggle').click();
  assert.ok((await height(card(page).getByTestId('application-add-payee'))) >= 48);
  await page.getByTestId('elder-toggle').click();
  await card(page).getByTestId('application-add-payee').click();
  await page.waitForFunction(() => document.querySelector('[data-testid="payee-id-number"]')?.value);
  assert.equal(await page.getByTestId('payee-name').inputValue(), person.name);
  assert.equal(await page.getByTestId('payee-id-number').inputValue(), person.id);
  await page.getByTestId('payee-submit').click();
  await page.locator('[data-testid="payee-status"][data-state="unpaid"]').waitFor({ timeout: 20_000 });
  // Now the application says so instead of offering the button again.
  await applications(page);
  await card(page).getByTestId('application-payee-added').waitFor();
  assert.equal(await card(page).getByTestId('application-add-payee').count(), 0);
  await resident.close();
});

test('back payment: the town sees each year, issues a slip for the unpaid ones, records the bank receipt', async () => {
  const person = server.people.find((p) => p.unpaidYears.length > 0 && p.town);
  assert.ok(person, 'the demo output names someone with unpaid past years');
  const staff = { ...TOWN_STAFF, mobile: '13955550013', town: person.town };
  createStaff(server, staff);
  const resident = await phone(browser);
  const page = await resident.newPage();
  await register(page, server, '13811113333');
  await applications(page);

  // 1. Every year the form offers (the policy's years at contribution age), at 500 a year.
  await page.getByTestId('new-back-payment').click();
  await page.getByTestId('back-name').fill(person.name);
  await page.getByTestId('back-id-number').fill(person.id);
  const years = page.getByTestId('back-year');
  await years.first().waitFor();
  const offered = (await years.evaluateAll((boxes) => boxes.map((b) => Number(b.value))));
  for (const y of person.unpaidYears) assert.ok(offered.includes(y), `${y} is offered`);
  for (const box of await years.all()) await box.check();
  await page.locator('[data-testid="back-tier"][value="500"]').check();
  await page.getByTestId('back-total').filter({ hasText: `500 元 × ${offered.length} 年` }).waitFor();
  await page.getByTestId('back-submit').click();
  await waitForState(page, 'submitted');
  const second = await card(page).getAttribute('data-id');
  const paidYears = offered.filter((y) => !person.unpaidYears.includes(y));
  assert.ok(paidYears.length > 0, 'some offered year is already paid');

  // 2. The town center sees the check year by year before deciding, and the full ID.
  const town = await staffPhone(staff, 'review-back-payments');
  let item = await reviewItem(town.page, second);
  assert.equal((await item.getByTestId('review-id').textContent()).trim(), person.id);
  await item.getByTestId('review-check').waitFor();
  for (const y of offered) {
    const row = item.locator(`[data-testid="review-check-year"][data-year="${y}"]`);
    const payable = person.unpaidYears.includes(y);
    assert.equal(await row.getAttribute('data-payable'), String(payable), `${y}`);
    if (!payable) assert.match(await row.textContent(), new RegExp(`${y}年已经缴过费`));
  }
  const expected = 500 * person.unpaidYears.length;
  assert.match(await item.getByTestId('review-slip-payable').textContent(), new RegExp(`${expected}`));
  await town.page.getByTestId('elder-toggle').click();
  await screenshot(town.page, '27a-review-back-payment-check-elder');
  await town.page.getByTestId('elder-toggle').click();
  // 3. A slip for the unpaid years only; the refused ones are named on it with the reason.
  await item.getByTestId('review-slip-payable').click();
  item = await reviewItem(town.page, second);
  await item.getByTestId('review-bank-receipt').waitFor();
  await screenshot(town.page, '27-review-back-payment-slip');
  assert.match(await item.getByTestId('review-slip').textContent(), new RegExp(`BJ2027\\d+.*${expected}`));

  const mine = page.locator(`[data-testid="application"][data-id="${second}"]`);
  await page.getByRole('button', { name: '刷新' }).click();
  await mine.locator('[data-testid="application-status"][data-state="awaiting"]').waitFor();
  assert.match(await mine.getByTestId('slip-amount').textContent(), new RegExp(`${expected}`));
  assert.equal((await mine.getByTestId('slip-years').textContent()).trim(), person.unpaidYears.join('、'));
  const reasons = await mine.getByTestId('application-refusals').textContent();
  assert.match(reasons, /没有列入缴费单/);
  for (const y of paidYears) assert.match(reasons, new RegExp(`${y}年已经缴过费`));
  const slipNo = (await mine.getByTestId('slip-no').textContent()).trim();
  await screenshot(page, '24-back-payment-slip');
  // In elder mode at 360 px the card with its slip does not scroll sideways.
  await page.getByTestId('elder-toggle').click();
  const wide = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
  assert.equal(wide, false, 'no sideways scroll in elder mode');
  const cut = await mine.getByTestId('slip-no').evaluate((dd) => dd.scrollWidth > dd.clientWidth);
  assert.equal(cut, false, 'the slip number is not cut');
  await screenshot(page, '24b-back-payment-slip-elder');
  await page.getByTestId('elder-toggle').click();

  // 4. The receipt from the Agricultural Bank: the years enter the ledger as back payment.
  const before = Object.fromEntries(person.unpaidYears.map((y) => [y, server.ledger(y)]));
  await item.getByTestId('review-bank-receipt').fill('x');
  await item.getByTestId('review-act').click();
  await item.getByTestId('review-bank-receipt-error').filter({ hasText: /./ }).waitFor();
  const said = (await item.getByTestId('review-bank-receipt-error').textContent()).trim();
  assert.ok(!said.includes('6至32位字母或数字'), 'the error does not repeat the hint');
  await item.getByTestId('review-bank-receipt').fill('abc20270301001');
  // A weak network: the list still shows from the phone with its time, a decision says it
  // needs the network and keeps what was typed, and goes through once online.
  await town.page.evaluate(() => navigator.serviceWorker.ready.then(() => true));
  await town.context.setOffline(true);
  await item.getByTestId('review-act').click();
  await item.getByTestId('review-item-error').filter({ hasText: '需要联网' }).waitFor();
  assert.equal(await item.getByTestId('review-bank-receipt').inputValue(), 'abc20270301001');
  await town.page.reload();
  await town.page.getByTestId('review-data-time').waitFor();
  item = town.page.locator(`[data-testid="review-item"][data-id="${second}"]`);
  await item.getByTestId('review-bank-receipt').fill('abc20270301001');
  await town.context.setOffline(false);
  await item.getByTestId('review-act').click();
  await town.page.locator('[data-testid="review-others"] [data-testid="review-status"][data-state="paid"]').waitFor();
  await town.context.close();

  await page.getByRole('button', { name: '刷新' }).click();
  await mine.locator('[data-testid="application-status"][data-state="paid"]').waitFor();
  assert.match(await mine.getByTestId('application-bank-receipt').textContent(), /ABC20270301001/);
  assert.equal((await mine.getByTestId('slip-no').textContent()).trim(), slipNo);
  for (const y of person.unpaidYears) {
    const after = server.ledger(y);
    assert.equal(after.back_paid, before[y].back_paid + 1, `${y} is back-paid once`);
    assert.equal(after.paid_fen, before[y].paid_fen + 50_000, `${y}: 500 yuan, no subsidy added`);
  }
  await screenshot(page, '25-back-payment-paid');
  await resident.close();
});
