// The broker's console page in headless Chromium (Debian's chromium),
// driven by Playwright (playwright-core), run by test_console_browser.sh
// against a `kafkalite broker` whose console is at URL:
//   1. the overview shows the broker; the topics list shows TOPIC, which
//      the shell test created;
//   2. the "Create topic" form makes browser-made with 2 partitions (the
//      confirmation accepted), seen by `kafkalite topics --describe`;
//   3. 30 messages produced with `kafkalite produce` are shown by the
//      topic's message browser;
//   4. a group committed at the beginning shows a lag of 30; a consumer in
//      it (`kafkalite consume -g`) reads them and the page's lag falls to 0;
//   5. once the consumer left, the "Reset offsets" form moves the group
//      to offset 5 of partition 0, and `kafkalite groups --describe`
//      shows a lag of 25.
// The page's refresh timer is driven by Playwright's clock, so no refresh
// replaces a form while it is filled in; every wait has a deadline. On a
// failure the page's screenshot goes to SCREENSHOT. Any script error on
// the page fails the test.
//
//   node console_check.js URL BOOTSTRAP KAFKALITE TOPIC CHROMIUM SCREENSHOT
'use strict';
const { spawn, spawnSync } = require('child_process');
const { chromium } = require('playwright-core');

const [URL, BOOTSTRAP, KAFKALITE, TOPIC, CHROMIUM, SCREENSHOT] = process.argv.slice(2);
const MADE = 'browser-made';
const GROUP = 'browser-group';
const MESSAGES = 30;
const REFRESH_MS = 3000; // console.js's refresh period
const STEP_MS = 30000;   // generous: the test machine is shared and loaded

let page;
let consumer;
const pageErrors = [];

function kafkalite(args, input) {
  const r = spawnSync(KAFKALITE, args, {
    input: input || '', encoding: 'utf8', timeout: STEP_MS,
  });
  if (r.status !== 0) throw new Error(`kafkalite ${args.join(' ')}: exit ${r.status}: ${r.stderr}`);
  return r.stdout;
}

// Advances the page's clock one refresh at a time until check() passes
// (it waits a little for the page itself), up to STEP_MS of real time.
async function refreshUntil(what, check) {
  const end = Date.now() + STEP_MS;
  for (;;) {
    try {
      await check();
      return;
    } catch (e) {
      if (Date.now() > end) throw new Error(`${what}: not seen within ${STEP_MS} ms: ${e.message}`);
    }
    await page.clock.runFor(REFRESH_MS);
  }
}

// Waits (up to a second) for the card labelled label (overview and group
// pages) to show want.
async function cardIs(label, want) {
  try {
    await page.waitForFunction(([l, w]) => [...document.querySelectorAll('.card')].some((c) =>
      c.querySelector('.l').textContent === l && c.querySelector('.n').textContent === w), [label, String(want)],
    { timeout: 1000 });
  } catch (e) {
    const cards = await page.locator('.card').allTextContents();
    throw new Error(`card "${label}" is not ${want}: ${cards.join(', ')}`);
  }
}

// The cells of the table row whose first cells are first... (in order).
async function rowCells(section, ...first) {
  const rows = page.locator('section', { has: page.locator('h2', { hasText: section }) }).locator('tbody tr');
  for (const cells of await rows.evaluateAll((trs) => trs.map((tr) => [...tr.cells].map((c) => c.textContent)))) {
    if (first.every((v, i) => cells[i] === String(v))) return cells;
  }
  throw new Error(`no row ${first.join(' ')} under "${section}"`);
}

// Fills a form (fields: name -> value, selects and inputs), submits it and
// waits for the console's notice.
async function submit(title, fields) {
  const form = page.locator(`form[data-form="${title}"]`);
  for (const [name, value] of Object.entries(fields)) {
    const field = form.locator(`[name="${name}"]`);
    if ((await field.evaluate((e) => e.tagName)) === 'SELECT') await field.selectOption(value);
    else await field.fill(value);
  }
  await form.locator('button[type="submit"]').click();
  const notice = page.locator('#notice');
  await notice.filter({ hasText: /\S/ }).waitFor({ state: 'visible' });
  const text = await notice.textContent();
  if (!text.startsWith('Done:')) throw new Error(`${title}: the console said ${text}`);
  return text;
}

async function scenario() {
  // 1. the overview, and the topic the shell test created
  await page.goto(URL);
  await page.locator('#broker-line', { hasText: /^broker 1 · / }).waitFor();
  await page.locator('h1', { hasText: 'Overview' }).waitFor();
  await page.locator('nav a[data-nav="topics"]').click();
  await page.locator('h1', { hasText: 'Topics' }).waitFor();
  await page.locator('tbody a', { hasText: new RegExp(`^${TOPIC}$`) }).waitFor();
  console.log(`ok the overview shows broker 1 and the topics list shows ${TOPIC}`);

  // 2. a topic created through the form
  await submit('Create topic', { name: MADE, partitions: '2' });
  await page.locator('tbody a', { hasText: new RegExp(`^${MADE}$`) }).waitFor();
  const described = kafkalite(['topics', '-b', BOOTSTRAP, '--describe', '--topic', MADE]);
  if (!/PartitionCount: ?2\b/.test(described)) throw new Error(`topics --describe ${MADE}: ${described}`);
  console.log(`ok the form created ${MADE} with 2 partitions`);

  // 3. its messages in the browser
  const lines = Array.from({ length: MESSAGES }, (_, i) => `k${i}:message ${i}`).join('\n') + '\n';
  kafkalite(['produce', '-b', BOOTSTRAP, '-t', MADE, '-p', '0', '-K', ':'], lines);
  await page.locator(`tbody a`, { hasText: new RegExp(`^${MADE}$`) }).click();
  await page.locator('h1', { hasText: `Topic ${MADE}` }).waitFor();
  const browser = page.locator('section[data-keep="browser"]');
  await browser.locator('p', { hasText: `offsets 0 to ${MESSAGES}` }).waitFor();
  const shown = await browser.locator('tbody tr').evaluateAll((trs) =>
    trs.map((tr) => [tr.cells[0].textContent, tr.cells[2].textContent, tr.cells[3].textContent]));
  if (shown.length !== 20 || shown.some(([o, k, v], i) => o !== String(i) || k !== `k${i}` || v !== `message ${i}`)) {
    throw new Error(`the message browser shows ${JSON.stringify(shown)}`);
  }
  await browser.locator('button', { hasText: 'Next messages' }).click();
  await browser.locator('tbody td', { hasText: /^message 29$/ }).waitFor();
  console.log(`ok the message browser shows the ${MESSAGES} messages produced, 20 a page`);

  // 4. a group's lag falls to 0 while a consumer reads
  kafkalite(['groups', '-b', BOOTSTRAP, '--reset-offsets', '--group', GROUP, '--topic', MADE,
    '--to-earliest', '--execute']);
  await page.goto(`${URL}/#/groups/${GROUP}`);
  await refreshUntil(`lag ${MESSAGES} of ${GROUP}`, () => cardIs('total lag', MESSAGES));
  consumer = spawn(KAFKALITE, ['consume', '-b', BOOTSTRAP, '-t', MADE, '-g', GROUP], { stdio: 'ignore' });
  await refreshUntil(`${GROUP} with a member and lag 0`, async () => {
    await cardIs('members', 1);
    await cardIs('total lag', 0);
  });
  // The chart's line starts at the top (lag 30, the maximum) and ends at
  // the bottom (0).
  const points = (await page.locator('svg.chart polyline').getAttribute('points')).split(' ');
  if (points[0].split(',')[1] !== '10' || points[points.length - 1].split(',')[1] !== '95') {
    throw new Error(`the lag chart's line: ${points.join(' ')}`);
  }
  console.log(`ok the lag of ${GROUP} fell from ${MESSAGES} to 0 on the page and its chart`);

  // 5. reset its offsets through the form, once the group is inactive
  const exited = new Promise((resolve) => consumer.once('exit', resolve));
  consumer.kill('SIGTERM');
  await exited;
  consumer = null;
  await refreshUntil(`${GROUP} without members`, () => cardIs('members', 0));
  await submit('Reset offsets', { topic: MADE, partition: '0', to: 'offset', at: '5' });
  await refreshUntil(`the lag of ${GROUP} after the reset`, async () => {
    const cells = await rowCells('Offsets', MADE, 0);
    if (cells[2] !== '5' || cells[4] !== String(MESSAGES - 5)) throw new Error(`row ${cells.join(' ')}`);
  });
  const groups = kafkalite(['groups', '-b', BOOTSTRAP, '--describe', '--group', GROUP]);
  const row = groups.split('\n').map((l) => l.trim().split(/\s+/)).find((c) => c[0] === GROUP && c[1] === MADE &&
    c[2] === '0');
  if (!row || row[3] !== '5' || row[4] !== String(MESSAGES) || row[5] !== String(MESSAGES - 5)) {
    throw new Error(`groups --describe after the reset: ${groups}`);
  }
  console.log(`ok the reset form moved ${GROUP} to offset 5 of ${MADE}-0; groups --describe shows lag 25`);
}

async function main() {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    // The test machine's network is closed: no background connections.
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
      '--disable-sync', '--no-first-run', '--disable-quic'],
    timeout: STEP_MS,
  });
  try {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    page = await context.newPage();
    page.setDefaultTimeout(STEP_MS);
    page.on('pageerror', (e) => pageErrors.push(e.message));
    page.on('dialog', (d) => d.accept());
    await page.clock.install();
    try {
      await scenario();
      if (pageErrors.length) throw new Error(`script errors on the page: ${pageErrors.join('; ')}`);
    } catch (e) {
      await page.screenshot({ path: SCREENSHOT, fullPage: true }).then(
        () => console.log(`the page at the failure: ${SCREENSHOT}`),
        (err) => console.log(`no screenshot: ${err.message}`));
      throw e;
    }
  } finally {
    if (consumer) consumer.kill('SIGKILL');
    await browser.close();
  }
}

if (process.argv.length !== 8) {
  console.log('FAIL usage: console_check.js URL BOOTSTRAP KAFKALITE TOPIC CHROMIUM SCREENSHOT');
  process.exit(2);
}
main().then(() => process.exit(0), (e) => {
  console.log(`FAIL ${e && e.stack ? e.stack : String(e)}`);
  process.exit(1);
});
