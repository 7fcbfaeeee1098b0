// Moving between screens with the app's own router (app/src/routing.rs), in a real headless
// Chromium against the real server: links move within the page (nothing loads again), the
// browser's back and forward follow, the tab of the screen shown is marked for screen readers,
// a screen that needs a login sends a visitor to it without trapping the back button, an
// unknown path says so, and a resident's tab that opens a screen of the full bundle arrives
// there with its query.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { TestServer, launchBrowser, phone } from './harness.mjs';
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

const path = (page) => new URL(page.url()).pathname + new URL(page.url()).search;
const current = (page, id) => page.getByTestId(id).getAttribute('aria-current');
/** Moves the address to `to` the way the browser's back and forward do (a `popstate`), without
 * loading a page. */
const moveWithin = (page, to) =>
  page.evaluate((to) => { history.pushState(null, '', to); dispatchEvent(new PopStateEvent('popstate')); }, to);

test('links, back and forward move within the app; the shown tab is marked', async () => {
  const context = await phone(browser);
  const page = await context.newPage();
  await register(page, server, '13600007001');
  // A mark on this document: a full page load would lose it.
  await page.evaluate(() => { window.sameDocument = true; });
  assert.equal(await current(page, 'nav-home'), 'page');
  // Tapping the tab of the screen shown, twice, adds nothing back would have to undo.
  const entries = () => page.evaluate(() => history.length);
  const before = await entries();
  await page.getByTestId('nav-home').click();
  await page.getByTestId('nav-home').click();
  assert.equal(await entries(), before);

  await page.getByTestId('nav-pay').click();
  await page.waitForURL('**/pay');
  assert.equal(await entries(), before + 1);
  assert.equal(await current(page, 'nav-pay'), 'page');
  assert.equal(await current(page, 'nav-home'), null);
  await page.getByTestId('nav-payments').click();
  await page.waitForURL('**/payments');
  assert.equal(await current(page, 'nav-payments'), 'page');

  await page.goBack();
  await page.waitForURL('**/pay');
  assert.equal(await current(page, 'nav-pay'), 'page');
  await page.goForward();
  await page.waitForURL('**/payments');
  assert.equal(await current(page, 'nav-payments'), 'page');
  await page.getByTestId('nav-cards').click();
  await page.waitForURL('**/cards');
  assert.equal(await page.evaluate(() => window.sameDocument), true, 'no page was loaded again');

  // An unknown path is the app's own "no such page", with a way home.
  await page.goto(`${server.url}/no/such/screen`);
  await page.getByText('没有这个页面').waitFor();
  await page.getByRole('link', { name: '回到首页' }).click();
  await page.waitForURL((url) => url.pathname === '/');
  await page.getByTestId('add-payee').waitFor();
  await context.close();
});

test('a screen that needs a login sends a visitor there, and back does not return to it', async () => {
  const context = await phone(browser);
  const page = await context.newPage();
  await page.goto(`${server.url}/guide`);
  await page.getByTestId('nav-verify').waitFor(); // the app is up and reading the address
  await page.evaluate(() => { window.sameDocument = true; });
  await moveWithin(page, '/payments');
  await page.waitForURL('**/login');
  await page.getByTestId('login-mobile').waitFor();
  // The redirect replaced /payments: back goes to the screen before it.
  await page.goBack();
  await page.waitForURL('**/guide');
  assert.equal(await page.evaluate(() => window.sameDocument), true);
  await context.close();
});

test('a resident tab opening a full-bundle screen arrives there with its query', async () => {
  const context = await phone(browser);
  const page = await context.newPage();
  await register(page, server, '13600007002');
  const id = '6f1c1f1e-8a1b-4c55-9a53-3c7d2f7b9a10';
  // Moved there from within the resident bundle (not a page load): it loads the full one.
  await moveWithin(page, `/apply/enrol?edit=${id}`);
  await page.waitForFunction(() => document.documentElement.dataset.bundle === 'full');
  assert.equal(path(page), `/apply/enrol?edit=${id}`);
  await context.close();
});
