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
const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
try {
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
  const firstFeedId = () => page.locator('#feed-rows tr:first-child td:nth-child(3)').textContent();

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
  await page.waitForSelector('#saliency:not([hidden])', { timeout: 20000 });
  await page.waitForSelector('#activations figure');
  const loaded = selector => page.$eval(selector, img => img.complete && img.naturalWidth > 0);
  report.inside = {
    saliencyShown: await loaded('#saliency'),
    saliencyClass: (await page.textContent('#saliency-class')).trim(),
    activationLayers: await page.locator('#activations figure').count(),
  };
  await page.waitForFunction(() => document.querySelector('#filters').naturalWidth > 0, null, { timeout: 20000 });
  report.inside.filtersShown = await loaded('#filters');
  await page.waitForSelector('#unit-layer option', { state: 'attached' });
  await page.selectOption('#unit-layer', { index: 3 });
  await page.fill('#units', '0-3');
  await page.click('#units-form button');
  await page.waitForSelector('#max-response:not([hidden])', { timeout: 20000 });
  await page.waitForFunction(() => document.querySelector('#max-response').naturalWidth > 0);
  report.inside.maximumResponseWidth = await page.$eval('#max-response', img => img.naturalWidth);

  await page.waitForSelector('#feed-rows tr', { timeout: 20000 });
  const before = await firstFeedId();
  await page.waitForFunction(id => {
    const first = document.querySelector('#feed-rows tr:first-child td:nth-child(3)');
    return first && first.textContent !== id;
  }, before, { timeout: 20000 });
  report.feed = { rows: await page.locator('#feed-rows tr').count(), changed: before !== await firstFeedId(),
    thumbnails: await page.locator('#feed-rows td.thumb img').count() };

  await page.click('#pause');
  const whenPaused = await firstFeedId();
  await page.waitForFunction(() => /predictions not shown/.test(document.querySelector('#feed-status').textContent),
    null, { timeout: 20000 });
  report.feed.stillWhilePaused = whenPaused === await firstFeedId();
  await page.click('#pause');

  await page.waitForFunction(() => document.querySelector('#chart-rate polyline')?.getAttribute('points').split(' ').length > 1,
    null, { timeout: 20000 });
  report.charts = {
    ratePoints: (await page.getAttribute('#chart-rate polyline', 'points')).split(' ').length,
    latencyLines: await page.locator('#chart-latency polyline').count(),
  };

  await page.waitForSelector('#model-rows tr');
  report.models = { rows: await page.locator('#model-rows tr').count(), served: (await page.textContent('#served')).trim(),
    description: (await page.textContent('#served-model')).trim() };

  await screenshot('ui', { fullPage: true });
  await screenshot('ui-top');
} catch (error) {
  // What the page showed when a step failed, for the test's message and a look at failure.png.
  report.failure = error.message.split('\n')[0];
  await page.screenshot({ path: `${outDir}/failure.png`, fullPage: true }).catch(() => {});
} finally {
  await browser.close();
}
console.log(JSON.stringify(report));
