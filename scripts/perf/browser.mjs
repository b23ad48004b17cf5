// Browser part of the organisation-scale benchmark (docs/performance.md): in headless Chromium, the time from
// navigation to content of an entity's Learning tab next to the same entity's catalog Overview tab, in one session,
// against the production build of the demo app served by the backend under test.
//
// "Content" means: the tab's heading text is on the page, every request the page made to /api/ has answered, and no
// progress indicator is visible, and this stays so for a quiet window (QUIET_MS, not counted in the time). The time
// runs from the start of the navigation (a full page load with a warm browser cache) to the start of that window.
import { chromium } from 'playwright-core';

const QUIET_MS = 300;
const sleep = ms => new Promise(resolve => setTimeout(resolve, ms));

/** Median of numbers. */
export const median = values => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

/** Requests of the app to the backend API that the page waits for (signals is a long-lived channel, not content). */
const isApiRequest = request =>
  /\/api\//.test(request.url()) && !/\/api\/signals/.test(request.url());

async function timeToContent(page, url, text, inFlight) {
  const started = performance.now();
  await page.goto(url, { waitUntil: 'commit' });
  await page
    .getByText(text, { exact: true })
    .first()
    .waitFor({ timeout: 120_000 });
  let quietSince;
  const deadline = started + 180_000;
  while (performance.now() < deadline) {
    const busy =
      inFlight.size > 0 ||
      (await page.evaluate(() =>
        [...document.querySelectorAll('[role="progressbar"]')].some(
          element => element.getClientRects().length > 0,
        ),
      ));
    if (busy) quietSince = undefined;
    else quietSince ??= performance.now();
    if (quietSince !== undefined && performance.now() - quietSince >= QUIET_MS)
      return quietSince - started;
    await sleep(10);
  }
  throw new Error(`${url} did not settle within 180 s`);
}

/**
 * Times the Overview and Learning tabs of `entityPath` (for example /catalog/default/component/service-0000),
 * alternating which goes first, `rounds` times after one warm-up of each. Returns each tab's times and medians.
 */
export async function timeEntityTabs({
  appUrl,
  entityPath,
  rounds = 5,
  screenshot,
}) {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  let page;
  try {
    const context = await browser.newContext({
      viewport: { width: 1400, height: 1000 },
    });
    page = await context.newPage();
    page.setDefaultTimeout(120_000);
    const inFlight = new Set();
    page.on('request', r => isApiRequest(r) && inFlight.add(r));
    page.on('requestfinished', r => inFlight.delete(r));
    page.on('requestfailed', r => inFlight.delete(r));
    // sign in as guest once; the session lasts for the whole run
    await page.goto(`${appUrl}${entityPath}`, { waitUntil: 'commit' });
    const enter = page.getByRole('button', { name: 'Enter' });
    await enter.waitFor({ timeout: 120_000 });
    await enter.click();
    // signed in once the entity page shows; navigating away earlier can lose the new session
    await page.getByText('About', { exact: true }).first().waitFor();
    const tabs = [
      {
        name: 'catalog Overview tab',
        url: `${appUrl}${entityPath}`,
        text: 'About',
      },
      {
        name: 'Learning tab',
        url: `${appUrl}${entityPath}/learning`,
        text: 'Incident history',
      },
    ];
    for (const tab of tabs) {
      tab.times = [];
      await timeToContent(page, tab.url, tab.text, inFlight); // warm-up: browser cache, server caches
    }
    for (let round = 0; round < rounds; round++) {
      const order = round % 2 ? [...tabs].reverse() : tabs;
      for (const tab of order) {
        tab.times.push(
          Math.round(await timeToContent(page, tab.url, tab.text, inFlight)),
        );
      }
    }
    if (screenshot)
      await page.screenshot({ path: screenshot }).catch(() => undefined);
    const [overview, learning] = tabs.map(tab => ({
      name: tab.name,
      times: tab.times,
      medianMs: Math.round(median(tab.times)),
    }));
    return {
      overview,
      learning,
      ratio: Math.round((learning.medianMs / overview.medianMs) * 100) / 100,
    };
  } catch (error) {
    // what the browser showed when it failed, next to the run's other files
    if (screenshot && page)
      await page
        .screenshot({ path: screenshot.replace(/\.png$/, '-failed.png') })
        .catch(() => undefined);
    throw error;
  } finally {
    await browser.close();
  }
}
