// 我的参保记录 in two steps (issue 9, item 3), in a real headless Chromium against the real
// server with the sandbox SMS gateway: the demo account types its own name and ID number, the
// page says where the code went (138****8000, the roster's number), the code is read from the
// sandbox's outbox with the server's own `sms-log`, a wrong code is refused with the tries
// left, and the right one shows the record.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { TestServer, launchBrowser, logIn, phone, screenshot } from './harness.mjs';

const DEMO_MOBILE = '13800138000';
const DEMO_PASSWORD = 'yanglao2026';

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

test('claiming one\'s own record takes the code sent to the roster\'s mobile', async () => {
  assert.ok(server.me, 'demo-roster names the demo account\'s own record');
  const context = await phone(browser);
  const page = await context.newPage();
  await logIn(page, server, DEMO_MOBILE, DEMO_PASSWORD);
  await page.getByTestId('nav-record').click();

  await page.getByTestId('claim-name').fill(server.me.name);
  await page.getByTestId('claim-id-number').fill(server.me.id);
  await page.getByTestId('claim-submit').click();
  const sent = page.getByTestId('claim-sent');
  await sent.waitFor();
  assert.match(await sent.innerText(), /验证码已发送至\s*138\*\*\*\*8000/);
  // Nothing of the record before the code.
  assert.equal(await page.getByTestId('record-facts').count(), 0);

  const code = server.smsLog(DEMO_MOBILE).match(/验证码(\d{6})/)?.[1];
  assert.ok(code, 'the sandbox kept the message');
  const wrong = `${code.slice(0, 5)}${(Number(code[5]) + 1) % 10}`;
  await page.getByTestId('claim-code').fill(wrong);
  await page.getByTestId('claim-confirm').click();
  await page.getByTestId('claim-error').filter({ hasText: '还可以再试4次' }).waitFor();
  await screenshot(page, 'claim-code');

  await page.getByTestId('claim-code').fill(code);
  await page.getByTestId('claim-confirm').click();
  await page.getByTestId('record-facts').waitFor();
  assert.match(await page.getByTestId('record-facts').innerText(), new RegExp(server.me.name));
  await screenshot(page, 'claim-record');
  await context.close();
});
