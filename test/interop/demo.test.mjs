// The demo page that `npm start` serves, clicked through in Chromium: connect,
// send text and a file, read both echoes, close with a code and reason, check
// the close event shown, and keep a screenshot in test-output/ (a CI artifact).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { startDemo } from '../../demo/server.mjs';
import { checks, inCI } from './lib/availability.mjs';
import { launchChromium } from './peers/chromium.mjs';
import { RESULTS_DIR } from './lib/results.mjs';

const OUTPUT_DIR = new URL('../../test-output/', import.meta.url);
const STEP_MS = 5_000;
const missing = checks.chromium();

/** For report.mjs: the outcome of the click test. */
function record(status, detail) {
  mkdirSync(RESULTS_DIR, { recursive: true });
  writeFileSync(new URL('demo.json', RESULTS_DIR), JSON.stringify({ date: new Date().toISOString(), status, detail }, null, 2) + '\n');
}

test('demo page: connect, echo text and a file, close 4000 (Chromium)', {
  timeout: 30_000,
  skip: missing && !inCI() ? `Chromium missing: ${missing}` : false,
}, async (t) => {
  if (missing) {
    record('missing', missing);
    throw new Error(`Chromium is missing (CI=true): ${missing}`);
  }
  try {
    await clickThrough(t);
    record('pass', 'connect, text and file echoes, close 4000 shown with wasClean true, screenshot test-output/demo.png');
  } catch (error) {
    record('fail', error.message.split('\n')[0]);
    throw error;
  }
});

async function clickThrough(t) {
  const demo = await startDemo({ port: 0 });
  t.after(() => demo.close());
  const browser = await launchChromium();
  t.after(() => browser.close());
  const page = await browser.newPage({ viewport: { width: 900, height: 900 } });
  page.setDefaultTimeout(STEP_MS);

  await page.goto(demo.url);
  assert.equal(await page.inputValue('#url'), `${demo.url.replace(/^http/, 'ws')}echo`, 'default URL');
  await page.click('#connect');
  await page.locator('#status', { hasText: 'open' }).waitFor();

  await page.fill('#text', 'hello from the click test ✓');
  await page.click('#send');
  await page.locator('#log .in', { hasText: 'hello from the click test ✓' }).waitFor();

  const file = Buffer.from([0, 1, 2, 250, 255, 42]);
  await page.setInputFiles('#file', { name: 'bytes.bin', mimeType: 'application/octet-stream', buffer: file });
  await page.click('#send-file');
  await page.locator('#log .in', { hasText: 'binary (6 bytes): 00 01 02 fa ff 2a' }).waitFor();

  await page.fill('#close-code', '4000');
  await page.fill('#close-reason', 'demo done');
  await page.click('#close');
  await page.locator('#status', { hasText: 'closed' }).waitFor();
  assert.deepEqual(
    {
      code: await page.textContent('#close-code-seen'),
      reason: await page.textContent('#close-reason-seen'),
      wasClean: await page.textContent('#close-clean-seen'),
    },
    { code: '4000', reason: 'demo done', wasClean: 'true' },
    'the close event the page shows',
  );

  mkdirSync(OUTPUT_DIR, { recursive: true });
  const screenshot = fileURLToPath(new URL('demo.png', OUTPUT_DIR));
  await page.screenshot({ path: screenshot, fullPage: true });
  t.diagnostic(`screenshot: ${screenshot}`);
}
