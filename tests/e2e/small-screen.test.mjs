// The whole app on a small phone (issues 13 and 14): every resident, applicant and staff
// screen at 360×640, in normal mode and in 长辈模式, in a real headless Chromium against the
// real server. A screen fails when it scrolls sideways (the document is wider than the phone,
// or any element reaches past its right edge), when a bottom-bar label wraps or is cut, and,
// in 长辈模式, when a visible tap target (a, button, select, input, [role=button], summary) is
// under 48 px tall. The pay flow's step counter keeps one total from the first step to the
// last, and a staff account starts on 工作台.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { TestServer, launchBrowser, screenshot, createStaff, logIn } from './harness.mjs';
import { SANDBOX_CARD, addPerson, payAll, payablePeople, register } from './flows.mjs';

const VIEWPORT = { width: 360, height: 640 };
const MIN_TAP = 48;
const TOWN = '龙山街道';
const STAFF = [
  { mobile: '13955550031', password: 'village-pass-1', role: 'village', town: TOWN, village: '西楼村' },
  { mobile: '13955550032', password: 'town-pass-123', role: 'town', town: TOWN },
  { mobile: '13955550033', password: 'admin-pass-123', role: 'admin', town: TOWN },
];
const MODES = ['normal', 'elder'];

let server;
let browser;

before(async () => {
  server = await TestServer.create();
  for (const s of STAFF) createStaff(server, s);
  await server.start();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

async function smallPhone() {
  const context = await browser.newContext({ viewport: VIEWPORT, deviceScaleFactor: 2, locale: 'zh-CN' });
  context.setDefaultTimeout(20_000);
  return context;
}

/** Everything on the screen that breaks the rules, described for the failure message. */
async function problems(page, elder) {
  return page.evaluate(({ elder, minTap }) => {
    const found = [];
    const root = document.documentElement;
    const width = root.clientWidth;
    const describe = (el) => {
      const id = el.getAttribute('data-testid');
      const text = (el.textContent || '').trim().replace(/\s+/g, ' ').slice(0, 30);
      return `<${el.tagName.toLowerCase()}${id ? ` data-testid=${id}` : ''}${el.className && typeof el.className === 'string' ? ` class="${el.className}"` : ''}> "${text}"`;
    };
    const visible = (el) => {
      const r = el.getBoundingClientRect();
      if (r.width <= 1 || r.height <= 1) return null; // hidden, or visually hidden for screen readers
      const style = getComputedStyle(el);
      if (style.visibility === 'hidden' || style.display === 'none') return null;
      return r;
    };
    if (root.scrollWidth > width) found.push(`the page scrolls sideways: ${root.scrollWidth}px wide on a ${width}px phone`);
    for (const el of document.body.querySelectorAll('*')) {
      const r = visible(el);
      if (r && r.right > width + 0.5) found.push(`past the right edge by ${Math.round(r.right - width)}px: ${describe(el)}`);
    }
    for (const tab of document.querySelectorAll('.tabbar a')) {
      const range = document.createRange();
      range.selectNodeContents(tab);
      const lines = new Set([...range.getClientRects()].map((r) => Math.round(r.top)));
      if (lines.size > 1) found.push(`a tab label wraps: ${describe(tab)}`);
      if (tab.scrollWidth > tab.clientWidth + 1) found.push(`a tab label is cut: ${describe(tab)}`);
    }
    if (elder) {
      for (const el of document.querySelectorAll('a, button, select, input, [role=button], summary')) {
        if (el.type === 'hidden') continue;
        const r = visible(el);
        if (r && r.height < minTap - 0.5) found.push(`a tap target ${Math.round(r.height)}px tall: ${describe(el)}`);
      }
    }
    return found;
  }, { elder, minTap: MIN_TAP });
}

/** Waits for a screen to be up (its heading, or `ready`), lets it settle, then checks it. */
async function check(page, failures, mode, name, ready) {
  await (ready ? page.locator(ready).first() : page.locator('main h1').first()).waitFor();
  // The frame's lines (window banner, sync line) arrive with the first answers.
  await page.waitForTimeout(400);
  const found = await problems(page, mode === 'elder');
  await screenshot(page, `small-${mode}-${name}`);
  for (const f of found) failures.push(`${mode} ${name}: ${f}`);
}

async function setMode(page, mode) {
  await page.evaluate((elder) => localStorage.setItem('yanglao.elder', elder ? '1' : '0'), mode === 'elder');
}

async function visit(page, failures, mode, name, path, ready) {
  await page.goto(`${server.url}${path}`);
  await check(page, failures, mode, name, ready);
}

test('every screen fits a 360-px phone in both modes, with 48-px tap targets in 长辈模式', async () => {
  const failures = [];

  // A resident with one person paid for (a receipt), one still to pay, and a card.
  const context = await smallPhone();
  const page = await context.newPage();
  await register(page, server, '13800007301');
  const [first, second] = payablePeople(server);
  await addPerson(page, first);
  await page.goto(`${server.url}/cards`);
  await page.getByTestId('card-number').fill(SANDBOX_CARD);
  await page.getByTestId('bind-card-submit').click();
  await page.getByTestId('card-item').first().waitFor();
  await page.goto(`${server.url}/`);
  await page.locator('[data-testid="payee-status"][data-state="unpaid"]').first().waitFor({ timeout: 30_000 });
  await payAll(page);
  await page.locator('[data-testid="intent-status"][data-state="paid"]').first().waitFor({ timeout: 30_000 });
  const receipt = await page.getByTestId('receipt-link').first().getAttribute('href');
  await page.goto(`${server.url}/`);
  await addPerson(page, second);
  await page.locator('[data-testid="payee-status"][data-state="unpaid"]').first().waitFor({ timeout: 30_000 });
  const person = await page.getByTestId('payee-item').first().getAttribute('data-payee-id');

  for (const mode of MODES) {
    await setMode(page, mode);
    await visit(page, failures, mode, 'home', '/', '[data-testid="payee-list"]');
    await visit(page, failures, mode, 'person', `/payees/${person}`);
    await visit(page, failures, mode, 'payments', '/payments', '[data-testid="payment-list"]');
    await visit(page, failures, mode, 'receipt', receipt, '[data-testid="receipt"]');
    await visit(page, failures, mode, 'cards', '/cards', '[data-testid="card-list"]');
    await visit(page, failures, mode, 'record', '/record', '[data-testid="claim-name"]');
    await visit(page, failures, mode, 'guide', '/guide');
    await visit(page, failures, mode, 'login', '/login', '[data-testid="login-mobile"]');
    await visit(page, failures, mode, 'register', '/register', '[data-testid="register-mobile"]');
    await visit(page, failures, mode, 'not-found', '/no-such-screen');

    // 缴费, each of its steps, with one total throughout.
    await visit(page, failures, mode, 'pay-people', '/pay', '[data-testid="pay-person"]');
    const totals = [];
    const total = async () => totals.push((await page.getByTestId('pay-step').textContent()).match(/共(\d+)步/)?.[1]);
    await total();
    await page.getByTestId('pay-person').first().check();
    await total();
    await page.getByTestId('pay-next').click();
    await check(page, failures, mode, 'pay-tier', '[data-testid="tier-estimates"]');
    await total();
    await page.locator('[data-testid="tier-option"][data-amount="500"]').click();
    await page.getByTestId('pay-next').click();
    await check(page, failures, mode, 'pay-card', '[data-testid="card-option"]');
    await total();
    await page.getByTestId('card-option').first().click();
    await page.getByTestId('pay-next').click();
    await check(page, failures, mode, 'pay-confirm', '[data-testid="confirm-total"]');
    await total();
    assert.deepEqual(totals, ['4', '4', '4', '4', '4'], `${mode}: the step counter keeps its total`);
    await page.getByTestId('pay-back').click();

    // The applicant's screens.
    await visit(page, failures, mode, 'applications', '/apply', '[data-testid="new-enrolment"]');
    await visit(page, failures, mode, 'enrol-form', '/apply/enrol');
    await visit(page, failures, mode, 'back-pay-form', '/apply/back-pay');
    await visit(page, failures, mode, 'verify', '/verify', '[data-testid="verify-input"]');
  }
  await context.close();

  // Staff: each lands on 工作台 after logging in, and every staff screen is checked.
  const screens = {
    village: [['staff', '/staff'], ['enrolment-review', '/staff/enrolments'], ['back-payment-review', '/staff/back-payments']],
    town: [['staff', '/staff'], ['enrolment-review', '/staff/enrolments'], ['back-payment-review', '/staff/back-payments'],
      ['reconciliation', '/staff/reconciliation']],
    admin: [['staff', '/staff'], ['policies', '/staff/policies']],
  };
  for (const staff of STAFF) {
    const ctx = await smallPhone();
    const p = await ctx.newPage();
    await logIn(p, server, staff.mobile, staff.password);
    await p.getByTestId('staff-stats').waitFor();
    assert.equal(new URL(p.url()).pathname, '/staff', `${staff.role}: lands on 工作台`);
    for (const mode of MODES) {
      await setMode(p, mode);
      for (const [name, path] of screens[staff.role]) {
        await visit(p, failures, mode, `${staff.role}-${name}`, path);
      }
    }
    // On the next start too, staff open on 工作台.
    await p.goto(`${server.url}/`);
    await p.getByTestId('staff-stats').waitFor();
    assert.equal(new URL(p.url()).pathname, '/staff', `${staff.role}: starts on 工作台`);
    await ctx.close();
  }

  assert.deepEqual(failures, [], `screens that do not fit a small phone:\n${failures.join('\n')}`);
});
