// The real server and a real Chromium for the end-to-end tests: a server process on a fixed
// free port (so the page's origin and its service worker survive restarts), a fresh SQLite
// file, the demo roster, and the server's clock started inside the payment window.
import { spawn, execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, mkdirSync, openSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const BIN = process.env.YANGLAO_SERVER_BIN ?? new URL('../../target/debug/yanglao-server', import.meta.url).pathname;
const DIST = process.env.YANGLAO_DIST ?? new URL('../../dist', import.meta.url).pathname;
export const YEAR = 2027;
const CLOCK_START = `${YEAR}-03-01T09:00:00+08:00`;
export const ARTIFACTS = new URL('./artifacts/', import.meta.url).pathname;
mkdirSync(ARTIFACTS, { recursive: true });

async function freePort() {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

/** A server with its own database; start() and stop() as often as a test needs. */
export class TestServer {
  static async create() {
    const dir = mkdtempSync(join(tmpdir(), 'yanglao-e2e-'));
    const server = new TestServer(`sqlite://${dir}/yanglao.db`, await freePort());
    const out = execFileSync(BIN, ['demo-roster', '--database-url', server.db, '--year', String(YEAR)], { encoding: 'utf8' });
    // "  name  id  （age…）  town/village  往年未缴 2019,2021" lines: people on the roster that
    // the demo account has not added, where they live, and past years they could back-pay.
    server.people = out.split('\n')
      .map((line) => line.match(/^\s+(\S+)\s+(\d{17}[\dX])\s+（(\d+)岁(.*)）\s+(\S+)\/(\S+)(?:\s+往年未缴 (\S+))?/))
      .filter(Boolean)
      .map(([, name, id, age, note, town, village, unpaid]) => ({
        name, id, age: Number(age), note, town, village,
        unpaidYears: unpaid ? unpaid.split(',').map(Number) : [],
      }));
    // "the demo account's own record (我的参保记录): name id — the code goes to 138****8000"
    const me = out.match(/own record \(我的参保记录\): (\S+) (\d{17}[\dX])/);
    server.me = me && { name: me[1], id: me[2] };
    return server;
  }

  constructor(db, port) {
    this.db = db;
    this.port = port;
    this.url = `http://127.0.0.1:${port}`;
    this.process = null;
  }

  async start() {
    // The server's output goes to a log file, never to this process's stdout: node's test
    // runner reads a test file's stdout as its own protocol, and stray lines corrupt it.
    const log = openSync(join(ARTIFACTS, `server-${this.port}.log`), 'a');
    this.process = spawn(BIN, ['serve', '--bind', `127.0.0.1:${this.port}`, '--database-url', this.db,
      '--dist', DIST, '--clock-start', CLOCK_START, '--reconcile-secs', '2'], { stdio: ['ignore', log, log] });
    closeSync(log);
    // A test file that dies must not leave its server running (the runner would wait on it).
    const child = this.process;
    process.once('exit', () => child.kill('SIGKILL'));
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline) {
      try {
        const reply = await fetch(`${this.url}/api/v1/health`);
        if (reply.ok) return;
      } catch { /* not up yet */ }
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('server did not start');
  }

  async stop() {
    if (!this.process) return;
    const exited = new Promise((resolve) => this.process.once('exit', resolve));
    this.process.kill('SIGINT');
    await exited;
    this.process = null;
  }

  /** Adds residents to the roster with the server's own `import-roster` (a CSV, all or none). */
  importRoster(residents) {
    const file = join(this.db.replace(/^sqlite:\/\//, '').replace(/[^/]+$/, ''), 'roster.csv');
    const rows = residents.map((r) => `${r.id},${r.name},${r.town},${r.village},否,enrolled,`);
    writeFileSync(file, ['id_number,name,town,village,severely_disabled,status,paid', ...rows].join('\n'));
    execFileSync(BIN, ['import-roster', '--database-url', this.db, file], { encoding: 'utf8' });
  }

  /** The newest text the sandbox SMS gateway kept for `mobile`, read by the server's own `sms-log`. */
  smsLog(mobile) {
    return execFileSync(BIN, ['sms-log', '--database-url', this.db, '--mobile', mobile], { encoding: 'utf8' });
  }

  /** The ledger's totals for a year (the test year unless told), read by the server's own command. */
  ledger(year = YEAR) {
    return JSON.parse(execFileSync(BIN, ['ledger', '--database-url', this.db, '--year', String(year)], { encoding: 'utf8' }));
  }
}

export async function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
}

/** Creates a staff account with the server's own command (the only way to make one). */
export function createStaff(server, { mobile, password, role, town, village }) {
  const args = ['create-staff', '--database-url', server.db, '--mobile', mobile, '--password-env', 'STAFF_PW',
    '--role', role, '--town', town];
  if (village) args.push('--village', village);
  execFileSync(BIN, args, { env: { ...process.env, STAFF_PW: password } });
}

/** Logs in through the login screen. */
export async function logIn(page, server, mobile, password) {
  await page.goto(`${server.url}/login`);
  await page.getByTestId('login-mobile').fill(mobile);
  await page.getByTestId('login-password').fill(password);
  await page.getByTestId('login-submit').click();
}

/** A phone-sized context; each context is one person's phone. */
export async function phone(browser) {
  const context = await browser.newContext({ viewport: { width: 360, height: 780 }, deviceScaleFactor: 2, locale: 'zh-CN' });
  context.setDefaultTimeout(15_000);
  return context;
}

export async function screenshot(page, name) {
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
}

/**
 * A TCP proxy in front of `server`: what a phone would move over its link. It keeps every
 * request line (`GET /path`) and counts the bytes each way, headers included.
 */
export async function countingProxy(server) {
  const requests = [];
  let down = 0;
  let up = 0;
  const proxy = createServer((client) => {
    const upstream = connect(new URL(server.url).port, '127.0.0.1');
    client.on('data', (chunk) => {
      up += chunk.length;
      for (const m of chunk.toString('latin1').matchAll(/(?:^|\r\n)(GET|POST|PUT|DELETE|HEAD) (\S+) HTTP\/1\.1/g)) {
        requests.push(`${m[1]} ${m[2]}`);
      }
    });
    upstream.on('data', (chunk) => { down += chunk.length; });
    client.pipe(upstream).pipe(client);
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
  });
  await new Promise((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${proxy.address().port}`,
    requests,
    bytes: () => ({ down, up }),
    close: () => proxy.close(),
  };
}

/** Waits until the page's service worker is installed and active. */
export async function workerActive(page) {
  await page.evaluate(async () => {
    const registration = await navigator.serviceWorker.ready;
    const worker = registration.active;
    if (worker.state !== 'activated') {
      await new Promise((resolve) => worker.addEventListener('statechange', () => worker.state === 'activated' && resolve()));
    }
  });
}
