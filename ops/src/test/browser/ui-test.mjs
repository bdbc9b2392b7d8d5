// Drives the gateway's web UI in Debian's Chromium as a user would, and prints what the page showed
// as one JSON object on stdout; BrowserUiTest (ops) asserts on it. Screenshots go to OUT_DIR.
//
//   node ui-test.mjs GATEWAY_URL API_KEY IMAGE_FILE OUT_DIR
//
// Chromium is /usr/bin/chromium (Debian's) unless PIPELINE_CHROMIUM names another executable:
// Playwright's own browser download cannot reach its servers here.
import { chromium } from 'playwright-core';

const [gateway, key, imageFile, outDir] = process.argv.slice(2);
if (!outDir) {
  console.error('usage: node ui-test.mjs GATEWAY_URL API_KEY IMAGE_FILE OUT_DIR');
  process.exit(2);
}

// Without the background-networking flags Chromium keeps calling Google's hosts, which this closed network refuses.
const browser = await chromium.launch({
  executablePath: process.env.PIPELINE_CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync'],
});
const report = { errors: [], screenshots: [] };
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.on('pageerror', error => report.errors.push('page error: ' + error.message));
  page.on('console', message => {
    if (message.type() === 'error') {
      report.errors.push('console error: ' + message.text());
    }
  });
  const screenshot = async (name, options = {}) => {
    const path = `${outDir}/${name}.png`;
    await page.screenshot(Object.assign({ path }, options));
    report.screenshots.push(path);
  };
  const firstFeedId = () => page.locator('#feed-rows tr:first-child td:nth-child(2)').textContent();

  await page.goto(gateway);
  await page.waitForSelector('#key-form:not([hidden])');
  report.askedForKey = true;
  await page.fill('#key', key);
  await page.click('#key-form button');
  await page.waitForSelector('#app:not([hidden])');

  await page.setInputFiles('#file', imageFile);
  await page.waitForSelector('#result:not([hidden])', { timeout: 20000 });
  report.shown = {
    label: (await page.textContent('#top li:first-child .label')).trim(),
    labels: await page.locator('#top li').count(),
    model: (await page.textContent('#result-model')).trim(),
    embeddingBars: await page.locator('#embedding rect').count(),
  };

  await page.waitForSelector('#feed-rows tr', { timeout: 20000 });
  const before = await firstFeedId();
  await page.waitForFunction(id => {
    const first = document.querySelector('#feed-rows tr:first-child td:nth-child(2)');
    return first && first.textContent !== id;
  }, before, { timeout: 20000 });
  report.feed = { rows: await page.locator('#feed-rows tr').count(), changed: before !== await firstFeedId() };

  await page.click('#pause');
  const whenPaused = await firstFeedId();
  await page.waitForFunction(() => /predictions not shown/.test(document.querySelector('#feed-status').textContent),
    null, { timeout: 20000 });
  report.feed.stillWhilePaused = whenPaused === await firstFeedId();
  await page.click('#pause');

  await page.waitForSelector('#model-rows tr');
  report.models = { rows: await page.locator('#model-rows tr').count(), served: (await page.textContent('#served')).trim() };

  await screenshot('ui', { fullPage: true });
  await screenshot('ui-top');
} finally {
  await browser.close();
}
console.log(JSON.stringify(report));
