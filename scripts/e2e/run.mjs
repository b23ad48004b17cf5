// Browser test: starts the demo the way `npm start` does (unless it already runs), signs in as guest in headless
// Chromium and checks the Learning tab, the summary card and a postmortem page. Screenshots go to e2e-artifacts/
// (git-ignored). Writes {passed, failed} to --results FILE and exits non-zero on any failure; a set-up failure
// counts every case it did not run as failed.
// --prebuilt: packages/app/dist already holds the production build (npm test builds it once); the demo backend
// alone serves it on its own port, so no development server is started.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sleep, reachable, waitFor } from '../test/waiting.mjs';
import { chromium } from 'playwright-core';
import { injectionVectors } from './injection-vectors.mjs';

const root = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../..',
);
const prebuilt = process.argv.includes('--prebuilt');
const prebuiltPort = 7230;
const fakeGitHubPort = 7233;
const backendUrl = prebuilt
  ? `http://localhost:${prebuiltPort}`
  : process.env.LEARNING_LOOP_BACKEND_URL ?? 'http://localhost:7007';
const appUrl = prebuilt
  ? backendUrl
  : process.env.LEARNING_LOOP_APP_URL ?? 'http://localhost:3000';
const artifacts = path.join(root, 'e2e-artifacts');
const resultsArg = process.argv.indexOf('--results');
const resultsFile = resultsArg > 0 ? process.argv[resultsArg + 1] : undefined;
const entityPath = '/catalog/default/component/subtitle-service';

async function guestToken() {
  const response = await fetch(`${backendUrl}/api/auth/guest/refresh`, {
    headers: { 'X-Requested-With': 'XMLHttpRequest' },
  });
  return (await response.json()).backstageIdentity.token;
}

async function startDemo() {
  if (
    (await reachable(appUrl)) &&
    (await reachable(`${backendUrl}/.backstage/health/v1/readiness`))
  ) {
    console.log('e2e: using the demo that is already running');
    return undefined;
  }
  let child;
  if (prebuilt) {
    console.log(
      `e2e: starting the demo backend on :${prebuiltPort}, serving the production build of the app`,
    );
    const config = path.join(artifacts, 'e2e-prebuilt.yaml');
    writeFileSync(
      config,
      [
        'app:',
        `  baseUrl: ${backendUrl}`,
        'backend:',
        `  baseUrl: ${backendUrl}`,
        `  listen: { port: ${prebuiltPort} }`,
        `  cors: { origin: ${backendUrl} }`,
        // the demo's stand-in for GitHub on a port of its own, beside a demo that may be running on 7232
        'integrations:',
        '  github:',
        '    - host: github.com',
        `      apiBaseUrl: http://localhost:${fakeGitHubPort}`,
        '      token: learning-loop-demo-github-token',
        'learning:',
        '  demoData:',
        `    fakeGitHubPort: ${fakeGitHubPort}`,
        '',
      ].join('\n'),
    );
    child = spawn(
      'yarn',
      [
        'backstage-cli',
        'package',
        'start',
        '--config',
        '../../app-config.yaml',
        '--config',
        config,
      ],
      {
        cwd: path.join(root, 'packages/backend'),
        detached: true,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
  } else {
    console.log('e2e: starting the demo (yarn dev)');
    child = spawn('yarn', ['dev'], {
      cwd: root,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, BROWSER: 'none' },
    });
  }
  const log = [];
  const keep = chunk => {
    log.push(chunk.toString());
    if (log.length > 200) log.shift();
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  child.log = log;
  try {
    await waitFor(
      'the backend',
      () => reachable(`${backendUrl}/.backstage/health/v1/readiness`),
      300_000,
    );
    await waitFor('the frontend', () => reachable(appUrl), 300_000);
  } catch (error) {
    console.log(log.join('').slice(-4000));
    stopDemo(child);
    throw error;
  }
  return child;
}

function stopDemo(child) {
  if (!child) return;
  try {
    process.kill(-child.pid, 'SIGTERM');
  } catch {
    // already gone
  }
}

async function waitForDemoData() {
  // the catalog ingests the example files and the demo module seeds a few seconds after start
  await waitFor(
    'demo data and catalog entities',
    async () => {
      try {
        const token = await guestToken();
        const headers = { Authorization: `Bearer ${token}` };
        const summary = await fetch(
          `${backendUrl}/api/learning/entities/component/default/subtitle-service/summary`,
          { headers },
        );
        const entity = await fetch(
          `${backendUrl}/api/catalog/entities/by-name/component/default/subtitle-service`,
          { headers },
        );
        return (
          summary.ok &&
          entity.ok &&
          (await summary.json()).latestIncidents.length > 0
        );
      } catch {
        return false;
      }
    },
    180_000,
  );
}

const tests = [];
const test = (name, fn) => tests.push({ name, fn });

/**
 * What does not fit on the page: tables wider than their box (they would scroll or clip), words broken in the
 * middle inside table cells, and the page itself scrolling sideways. A break after a hyphen is a legal line break.
 */
async function misfits(page) {
  return page.evaluate(() => {
    const out = [];
    const doc = document.documentElement;
    if (doc.scrollWidth > doc.clientWidth + 1)
      out.push(
        `the page scrolls sideways (${doc.scrollWidth} > ${doc.clientWidth})`,
      );
    for (const table of document.querySelectorAll('table')) {
      const box = table.parentElement;
      if (box.scrollWidth > box.clientWidth + 1)
        out.push(
          `a table is ${box.scrollWidth} px in a ${
            box.clientWidth
          } px box: ${table.innerText.slice(0, 50).replace(/\s+/g, ' ')}`,
        );
    }
    const walker = document.createTreeWalker(
      document.body,
      NodeFilter.SHOW_TEXT,
    );
    const range = document.createRange();
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const cell = node.parentElement?.closest('td, th');
      if (!cell) continue;
      const words = /[^\s-]+/g;
      for (
        let m = words.exec(node.textContent);
        m;
        m = words.exec(node.textContent)
      ) {
        range.setStart(node, m.index);
        range.setEnd(node, m.index + m[0].length);
        if ([...range.getClientRects()].filter(r => r.width > 0).length > 1)
          out.push(`"${m[0]}" is broken across lines`);
      }
    }
    return [...new Set(out)];
  });
}

/** Entity refs shown to people where a display name belongs. */
async function refsShown(page) {
  const text = await page.evaluate(() => document.body.innerText);
  return [
    ...new Set(
      text.match(/\b(group|component|user|system|domain):[a-z0-9][\w/.-]*/gi) ??
        [],
    ),
  ];
}

/** Waits for the Learning tab, the backlog or an overview to have loaded its tables. */
async function settle(page) {
  await page.waitForLoadState('networkidle').catch(() => {});
  await sleep(1_000);
}

/** A postmortem of the demo in the given status, through the API. */
async function aPostmortem(status) {
  const token = await guestToken();
  const page = await (
    await fetch(
      `${backendUrl}/api/learning/postmortems?status=${status}&limit=1&entityRef=component:default/subtitle-service`,
      { headers: { Authorization: `Bearer ${token}` } },
    )
  ).json();
  if (!page.items?.length)
    throw new Error(`the demo has no ${status} postmortem`);
  return page.items[0];
}

test('guest signs in and sees incidents, open actions and the recurrence badge on the Learning tab', async page => {
  await page.goto(`${appUrl}${entityPath}/learning`);
  const enter = page.getByRole('button', { name: 'Enter' });
  await enter.waitFor({ timeout: 60_000 });
  await enter.click();
  await page.getByText('Incident history').waitFor({ timeout: 60_000 });
  await page
    .getByRole('cell', { name: /Vendor timeouts again/ })
    .first()
    .waitFor();
  await page.getByText('Preventive actions', { exact: true }).waitFor();
  await page
    .getByText('Load-test vendor failover with production-like traffic')
    .first()
    .waitFor();
  const badge = page.getByTestId('recurrence-badge').first();
  await badge.waitFor();
  const label = await badge.textContent();
  if (!/Learning did not hold/.test(label ?? ''))
    throw new Error(`recurrence badge says "${label}"`);
  await page
    .getByText(/Overdue \d+ d/)
    .first()
    .waitFor();
  // the recurring demo service shows its chain and the learning metrics
  await page
    .getByText(/3rd occurrence: Vendor timeouts again/)
    .first()
    .waitFor();
  await page
    .getByText('3rd occurrence of dependency-timeout')
    .first()
    .waitFor();
  await page.getByText('Is learning working?').waitFor();
  await page.getByText('Release gate: blocked').waitFor();
  // the first screen answers four questions, each with its n and period
  for (const [id, pattern] of [
    ['headline-frequency', /^\d+ incidents? in 90 days$/],
    ['headline-recurrence', /^Yes: dependency-timeout, \d+ times$/],
    ['headline-actions', /^\d+ open actions?$/],
    ['headline-fix', /^(It held|It did not hold|Too early to tell)$/],
  ]) {
    const text = (await page.getByTestId(id).textContent())?.trim();
    if (!pattern.test(text ?? '')) throw new Error(`${id} says "${text}"`);
  }
  // the finding names the action that did not hold and links to it and to the evidence
  const finding = page.getByTestId('headline-finding');
  const findingLinks = await finding
    .locator('a')
    .evaluateAll(links => links.map(a => a.getAttribute('href')));
  if (
    !findingLinks.some(h => /\/learning\/actions\//.test(h)) ||
    !findingLinks.some(h => /\/learning\/incidents\//.test(h))
  )
    throw new Error(`the finding links to ${findingLinks.join(', ')}`);
  // gate reasons: a short list, at most three records each until asked, every record a link
  for (const reason of await page.getByTestId('gate-reason').all()) {
    const records = await reason.locator('li').count();
    const links = await reason.locator('li a').count();
    if (records > 3) throw new Error(`a gate reason shows ${records} records`);
    if (links !== records)
      throw new Error(`${records - links} gate record(s) are not links`);
  }
  await page.screenshot({
    path: path.join(artifacts, 'learning-tab.png'),
    fullPage: true,
  });
});

test('each record has its page: an incident from its row, an action from its title, a gate reason from its record', async page => {
  await page.goto(`${appUrl}${entityPath}/learning`);
  const incident = page
    .getByRole('cell', { name: /Vendor timeouts again/ })
    .getByRole('link', { name: /Vendor timeouts again/ })
    .first();
  await incident.waitFor({ timeout: 60_000 });
  const incidentTitle = (await incident.textContent()).trim();
  await incident.click();
  await page.waitForURL(/\/learning\/incidents\/[\w-]+$/);
  await page.getByRole('heading', { name: incidentTitle }).waitFor();
  await page.getByText('What happened').waitFor();
  await page
    .getByText(/occurrence of dependency-timeout/)
    .first()
    .waitFor();
  await page.getByText('Timeline', { exact: true }).waitFor();
  await page.screenshot({
    path: path.join(artifacts, 'incident-page.png'),
    fullPage: true,
  });

  await page.goto(`${appUrl}${entityPath}/learning`);
  const title = 'Retry subtitle exports with idempotency keys';
  await page.getByRole('link', { name: title }).first().click();
  await page.waitForURL(/\/learning\/actions\/[\w-]+$/);
  await page.getByRole('heading', { name: title }).waitFor();
  await page.getByText('Where it comes from').waitFor();
  await page.getByTestId('history-sentence').first().waitFor();

  await page.goto(`${appUrl}${entityPath}/learning`);
  const record = page.getByTestId('gate-reason').locator('li a').first();
  await record.waitFor({ timeout: 60_000 });
  const recordTitle = (await record.textContent()).trim();
  await record.click();
  await page.waitForURL(/\/learning\/(actions|incidents)\/[\w-]+$/);
  await page.getByRole('heading', { name: recordTitle }).waitFor();
});

test('the severity filter asks the server for a filtered page', async page => {
  await page.goto(`${appUrl}${entityPath}/learning`);
  await page.getByText('Incident history').waitFor({ timeout: 60_000 });
  await page
    .getByRole('cell', { name: /Vendor timeouts again/ })
    .first()
    .waitFor();
  await page.getByLabel('Severity', { exact: true }).click();
  await Promise.all([
    page.waitForResponse(
      r =>
        r.url().includes('/api/learning/incidents') &&
        r.url().includes('severity=SEV1'),
    ),
    page.getByRole('option', { name: 'SEV1' }).click(),
  ]);
  await page.keyboard.press('Escape');
  await page
    .getByRole('cell', {
      name: /Translation vendor timeouts blocked subtitle delivery/,
    })
    .waitFor();
  await page
    .getByRole('cell', { name: /Vendor timeouts again/ })
    .waitFor({ state: 'detached' });
});

test('the overview tab shows the Learning summary card', async page => {
  await page.goto(`${appUrl}${entityPath}`);
  await page.getByText('Learning summary').waitFor({ timeout: 60_000 });
  await page.getByText('Open actions').first().waitFor();
  await page.getByTestId('recurrence-badge').first().waitFor();
  await page.screenshot({
    path: path.join(artifacts, 'overview-card.png'),
    fullPage: true,
  });
});

test('a postmortem page renders its Markdown sections', async page => {
  await page.goto(`${appUrl}${entityPath}/learning`);
  await page
    .getByText('Postmortems', { exact: true })
    .first()
    .waitFor({ timeout: 60_000 });
  await page
    .getByRole('link', {
      name: /Learning review: Translation vendor timeouts blocked subtitle delivery/,
    })
    .click();
  await page
    .getByRole('heading', {
      name: /Learning review: Translation vendor timeouts/,
    })
    .waitFor({ timeout: 30_000 });
  await page.getByText('What went well').waitFor();
  await page.getByText('Rollback tooling worked first time').waitFor();
  await page.getByText('Decision log').waitFor();
  await page.screenshot({
    path: path.join(artifacts, 'postmortem.png'),
    fullPage: true,
  });
});

test('an owner changes an action in place, and the change is saved with its history', async page => {
  await page.goto(`${appUrl}${entityPath}/learning`);
  const title = 'Retry subtitle exports with idempotency keys';
  const status = page.getByRole('button', { name: `Status of ${title}` });
  await status.waitFor({ timeout: 60_000 });
  const before = (await status.textContent())?.trim();
  const next = before === 'In progress' ? 'Open' : 'In progress';
  await status.click();
  const [saved] = await Promise.all([
    page.waitForResponse(
      r =>
        r.request().method() === 'PATCH' &&
        r.url().includes('/api/learning/actions/'),
    ),
    page.getByRole('option', { name: next, exact: true }).click(),
  ]);
  if (saved.status() !== 200)
    throw new Error(`PATCH answered ${saved.status()}`);
  await page.reload();
  const reloaded = page.getByRole('button', { name: `Status of ${title}` });
  await reloaded.waitFor({ timeout: 60_000 });
  const after = (await reloaded.textContent())?.trim();
  if (after !== next)
    throw new Error(
      `after reload the status is "${after}", expected "${next}"`,
    );
  await page.getByRole('button', { name: `History of ${title}` }).click();
  // the change reads as a sentence, by the person's name
  await page
    .getByRole('dialog')
    .getByText(/changed status from (Open|In progress) to (Open|In progress)\./)
    .first()
    .waitFor();
  await page.screenshot({ path: path.join(artifacts, 'action-history.png') });
  await page.keyboard.press('Escape');
});

test("controls are disabled on a service the guest's team does not own", async page => {
  await page.goto(
    `${appUrl}/catalog/default/component/dubbing-service/learning`,
  );
  const status = page.getByRole('button', {
    name: 'Status of Verify audio drift before publishing dubbed tracks',
  });
  await status.waitFor({ timeout: 60_000 });
  await page.waitForFunction(
    () => document.querySelectorAll('[data-testid="edit-denied"]').length > 0,
    undefined,
    { timeout: 30_000 },
  );
  const disabled = await status.evaluate(el =>
    el.classList.contains('Mui-disabled'),
  );
  if (!disabled)
    throw new Error('the status control is enabled for a non-owner');
  if (!(await page.getByRole('button', { name: 'New action' }).isDisabled()))
    throw new Error('"New action" is enabled for a non-owner');
  // the whole-record dialog cannot be opened either
  if (
    !(await page
      .getByRole('button', {
        name: 'Edit Verify audio drift before publishing dubbed tracks',
      })
      .isDisabled())
  )
    throw new Error('the edit dialog opens for a non-owner');
  // the reason names the owner by name
  await status.hover({ force: true });
  const tip = page.getByRole('tooltip');
  await tip.waitFor();
  const reason = (await tip.textContent()) ?? '';
  if (
    !/Only the owners of this entity \(\w[^:)]*\) can change/.test(reason) ||
    /:/.test(reason)
  )
    throw new Error(`the refusal says "${reason}"`);
  // selecting rows does not offer bulk changes the server would refuse, and says why
  await page
    .locator('tr', {
      hasText: 'Verify audio drift before publishing dubbed tracks',
    })
    .getByRole('checkbox')
    .check();
  await page.getByTestId('bulk-refused').waitFor();
  for (const name of ['Set status', 'Set owner', 'Set due date']) {
    if (!(await page.getByRole('button', { name }).isDisabled()))
      throw new Error(`"${name}" is enabled for a non-owner`);
  }
  await page.screenshot({
    path: path.join(artifacts, 'not-owner.png'),
    fullPage: true,
  });
});

test("a team's Learning tab lists its backlog, and My actions lists the guest's", async page => {
  await page.goto(`${appUrl}/catalog/default/group/localization-team/learning`);
  await page.getByText('Backlog of Localization').waitFor({ timeout: 60_000 });
  await page
    .getByText('Load-test vendor failover with production-like traffic')
    .first()
    .waitFor();
  await page.goto(`${appUrl}/learning/my-actions`);
  await page
    .getByText('Page the vendor account manager automatically on timeouts')
    .first()
    .waitFor({ timeout: 60_000 });
});

test('writes a postmortem from a demo incident: a blame finding appears, is fixed, an action is added, it is published', async page => {
  await page.goto(`${appUrl}${entityPath}/learning`);
  // the first incident on the page that has no postmortem yet
  const start = page
    .getByRole('button', { name: /^Start postmortem for / })
    .first();
  await start.waitFor({ timeout: 60_000 });
  const incidentTitle = (await start.getAttribute('aria-label')).replace(
    'Start postmortem for ',
    '',
  );
  await start.click();
  await page
    .getByText(`Editing: Learning review: ${incidentTitle}`)
    .waitFor({ timeout: 30_000 });

  const summary = page.getByRole('textbox', { name: 'Summary' });
  await summary.fill(
    'The engineer forgot to check the export offsets before the release.',
  );
  const finding = page.getByTestId('blame-finding').first();
  await finding.waitFor();
  if (!/forgot to/.test((await finding.textContent()) ?? ''))
    throw new Error('the blame finding does not quote the phrase');
  await page.screenshot({
    path: path.join(artifacts, 'postmortem-blame-finding.png'),
    fullPage: true,
  });
  await summary.fill(
    'Exported subtitle offsets were not validated against the source timecodes, so shifted tracks reached customers.',
  );
  await page
    .getByTestId('blame-finding')
    .first()
    .waitFor({ state: 'detached' });

  // submitting too early is refused next to what is missing, before anything is sent
  await page.getByRole('button', { name: 'Submit for review' }).click();
  await page.getByTestId('missing-sections').waitFor();
  await page.getByText('Impact is required to submit for review').waitFor();
  if (
    (await page
      .getByRole('textbox', { name: 'Impact' })
      .getAttribute('aria-invalid')) !== 'true'
  )
    throw new Error('the Impact field is not marked');
  await page
    .getByRole('textbox', { name: 'Impact' })
    .fill('- 41 customers received subtitles shifted by up to 3 seconds');
  await page
    .getByText('Impact is required to submit for review')
    .waitFor({ state: 'detached' });
  // a blame phrase left in the lessons: publishing asks for, and records, an acknowledgement
  await page
    .getByRole('textbox', { name: 'Lessons' })
    .fill(
      'Exports need the same validation as imports, or someone forgot to check again.',
    );
  await page.getByRole('button', { name: 'Add contributing factor' }).click();
  // no category is chosen for the author: a default would feed recurrence detection with a guess
  const category = page.getByRole('textbox', { name: 'Category 1' });
  if ((await category.inputValue()) !== '')
    throw new Error(
      `a new contributing factor starts with "${await category.inputValue()}"`,
    );
  await page
    .getByLabel('How it contributed 1')
    .fill('No automated check compared output offsets with the source.');
  await page
    .getByText('Choose a category: the factor is saved once it has one')
    .waitFor();
  await category.fill('testing-gap');
  // close the category's suggestions, or the next click only closes them
  await category.press('Escape');
  await page.getByText('All changes saved').waitFor({ timeout: 30_000 });

  await page.getByRole('button', { name: 'Add action' }).click();
  const dialog = page.getByRole('dialog', { name: 'New preventive action' });
  await dialog
    .getByRole('textbox', { name: 'Title', exact: true })
    .fill('Validate subtitle offsets against source timecodes on export');
  await dialog.getByRole('button', { name: 'Create' }).click();
  await page
    .getByText('Validate subtitle offsets against source timecodes on export')
    .waitFor();

  await page.getByRole('button', { name: 'Submit for review' }).click();
  await page.getByRole('button', { name: 'Publish' }).waitFor();
  await page.getByRole('button', { name: 'Publish' }).click();
  const confirm = page.getByRole('dialog', {
    name: 'The blameless check still has findings',
  });
  await confirm.getByRole('checkbox').check();
  await confirm.getByRole('button', { name: 'Publish anyway' }).click();
  await page
    .getByText('Published', { exact: true })
    .first()
    .waitFor({ timeout: 30_000 });
  await page.screenshot({
    path: path.join(artifacts, 'postmortem-published.png'),
    fullPage: true,
  });
  const editorUrl = page.url();
  // the published page shows its action items, and who acknowledged the blame finding
  await page.getByRole('link', { name: 'View' }).click();
  await page
    .getByTestId('review-action')
    .getByText('Validate subtitle offsets against source timecodes on export')
    .waitFor({ timeout: 30_000 });
  const acknowledged = page.getByTestId('blame-acknowledged');
  await acknowledged.waitFor();
  const by = (await acknowledged.textContent()) ?? '';
  if (!/acknowledged by guest/i.test(by))
    throw new Error(`the acknowledgement says "${by}"`);
  // autosave saved many times, but the revisions are one per editing session
  const id = /postmortems\/([\w-]+)/.exec(editorUrl)[1];
  const revisions = await (
    await fetch(`${backendUrl}/api/learning/postmortems/${id}/revisions`, {
      headers: { Authorization: `Bearer ${await guestToken()}` },
    })
  ).json();
  const latest = revisions.items[0].version;
  if (latest < 3 || revisions.items.length > 2)
    throw new Error(
      `${revisions.items.length} revisions kept for ${latest} saved versions`,
    );
});

test('the overview page filters through the URL and downloads the monthly review', async page => {
  await page.goto(`${appUrl}/learning`);
  const incidents = page.getByTestId('tile-incidents');
  await incidents.waitFor({ timeout: 60_000 });
  const before = (await incidents.textContent())?.trim();
  await page.getByText('Incidents by severity, per month').waitFor();
  await page.getByRole('button', { name: /Filter by team/ }).click();
  await page.getByRole('option', { name: 'Localization', exact: true }).click();
  await page.waitForURL(/team=group%3Adefault%2Flocalization-team/);
  await page.waitForFunction(
    previous =>
      document
        .querySelector('[data-testid="tile-incidents"]')
        ?.textContent?.trim() !== previous,
    before,
    { timeout: 30_000 },
  );
  const after = (await incidents.textContent())?.trim();
  if (!(Number(after) < Number(before)))
    throw new Error(
      `filtering by team did not narrow the figures: ${before} → ${after}`,
    );
  await page.screenshot({
    path: path.join(artifacts, 'overview.png'),
    fullPage: true,
  });
  // with a team chosen, "By team" does not repeat its parent group's figures
  await page.getByText('By team').waitFor();
  if (
    (await page.getByRole('row').filter({ hasText: 'Engineering' }).count()) > 0
  )
    throw new Error('"By team" repeats the parent group under a team filter');
  // attention lists: the total, every item a link to its record, "see all" to the filtered list
  const overdue = page.getByTestId('attention-overdue-actions');
  const heading =
    (await overdue.getByText(/^Actions past their SLO/).textContent()) ?? '';
  const total = Number(/\((\d+)\)/.exec(heading)?.[1]);
  const items = await overdue.locator('a[href*="/learning/actions/"]').count();
  if (!(total > 0) || items !== Math.min(total, 10))
    throw new Error(`"${heading}" lists ${items} linked items`);
  await overdue.getByTestId('attention-see-all-overdue-actions').click();
  await page.waitForURL(
    /\/learning\/actions\?overdue=true&team=group%3Adefault%2Flocalization-team/,
  );
  if (!(await page.getByRole('checkbox', { name: 'Overdue only' }).isChecked()))
    throw new Error('"see all" did not land on the overdue actions');
  await page
    .getByText(/Overdue \d+ d/)
    .first()
    .waitFor({ timeout: 30_000 });
  await page.goto(`${appUrl}/learning`);

  await page.getByRole('tab', { name: 'Learning reviews' }).click();
  await page
    .getByTestId('review')
    .getByText(/Monthly incident review/)
    .first()
    .waitFor({ timeout: 30_000 });
  const [file] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Download Markdown' }).click(),
  ]);
  const text = await new Promise((resolve, reject) => {
    file.createReadStream().then(stream => {
      let data = '';
      stream.on('data', chunk => (data += chunk));
      stream.on('end', () => resolve(data));
      stream.on('error', reject);
    }, reject);
  });
  if (
    !/^# Monthly incident review: /.test(text) ||
    !text.includes('## Themes') ||
    !text.includes('Change failure rate')
  ) {
    throw new Error(
      `the downloaded review is not the monthly review: ${String(text).slice(
        0,
        80,
      )}`,
    );
  }
});

test('the Learning tab shows a duration distribution, and "too few to tell" where the data cannot carry a verdict', async page => {
  await page.goto(`${appUrl}${entityPath}/learning`);
  await page
    .getByText('Time to resolve: distribution')
    .waitFor({ timeout: 60_000 });
  const plot = page.getByRole('img', {
    name: /^Time to resolve\. Previous period/,
  });
  await plot.waitFor();
  // the points are drawn: one circle per incident of the two periods
  const dots = await plot.locator('.recharts-scatter-symbol').count();
  if (dots === 0) throw new Error('the distribution draws no incidents');
  await page.getByTestId('distribution-change').waitFor();
  await page
    .getByText(/too few to tell \(n = \d+ vs \d+\)/)
    .first()
    .waitFor();
  await page.screenshot({
    path: path.join(artifacts, 'learning-distribution.png'),
    fullPage: true,
  });
});

test('the overview shows the change failure rate with its verdict and interval', async page => {
  await page.goto(`${appUrl}/learning`);
  const tile = page.getByTestId('tile-cfr');
  await tile.waitFor({ timeout: 60_000 });
  const value = (await tile.textContent())?.trim();
  if (!/^\d+%$/.test(value ?? ''))
    throw new Error(`change failure rate tile shows "${value}"`);
  const caption = await tile.locator('xpath=..').textContent();
  if (
    !/(better|worse|no clear change) \(n = \d+ vs \d+; 90 % interval [−+\d]+ to [−+\d]+ points\)/.test(
      caption ?? '',
    )
  )
    throw new Error(`change failure rate tile says "${caption}"`);
  await page.getByText('Time to resolve: distribution').waitFor();
});

test("the README's release-gate step stops the deploy of the demo service", async () => {
  const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
  const snippet = /<!-- release-gate-example -->\s*```sh\n([\s\S]*?)```/.exec(
    readme,
  )?.[1];
  if (!snippet) throw new Error('the README has no release-gate example');
  const run = spawnSync('bash', ['-c', snippet], {
    env: {
      ...process.env,
      LEARNING_LOOP_TOKEN: 'learning-loop-demo-ci-token',
      BACKSTAGE_BACKEND_URL: backendUrl,
    },
    encoding: 'utf8',
  });
  if (
    run.status !== 1 ||
    !/Release blocked by Learning Loop/.test(run.stdout) ||
    !/overdue P0 preventive action/.test(run.stdout)
  ) {
    throw new Error(
      `the gate step exited ${run.status}: ${run.stdout} ${run.stderr}`,
    );
  }
});

test("the README's webhook example records an incident once on the mapped service", async () => {
  const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
  const snippet = /<!-- webhook-example -->\s*```sh\n([\s\S]*?)```/.exec(
    readme,
  )?.[1];
  if (!snippet) throw new Error('the README has no webhook example');
  const send = () =>
    spawnSync('bash', ['-c', snippet], {
      env: {
        ...process.env,
        LEARNING_LOOP_WEBHOOK_SECRET: 'learning-loop-demo-webhook-secret',
        BACKSTAGE_BACKEND_URL: backendUrl,
      },
      encoding: 'utf8',
    });
  const outcomes = [send(), send()].map(run => {
    if (run.status !== 0) {
      throw new Error(`the webhook step exited ${run.status}: ${run.stderr}`);
    }
    return JSON.parse(run.stdout).results[0];
  });
  // the demo database lives as long as the demo: a second run of the suite sees its own earlier delivery
  if (
    !['created', 'duplicate'].includes(outcomes[0].outcome) ||
    outcomes[1].outcome !== 'duplicate'
  ) {
    throw new Error(`unexpected outcomes ${JSON.stringify(outcomes)}`);
  }
  const token = await guestToken();
  const incidents = await (
    await fetch(
      `${backendUrl}/api/learning/incidents?entityRef=component:default/subtitle-service&kind=failed-deployment&limit=100`,
      { headers: { Authorization: `Bearer ${token}` } },
    )
  ).json();
  const found = incidents.items.filter(i => i.externalId === 'DEPLOY-77');
  if (found.length !== 1 || found[0].source !== 'webhook') {
    throw new Error(
      `expected one webhook incident DEPLOY-77 on subtitle-service, found ${found.length}`,
    );
  }
});

test('search shows published postmortems as Learning Loop results with their entity', async page => {
  // the collator first runs 30 seconds after the backend starts
  const deadline = Date.now() + 120_000;
  for (;;) {
    await page.goto(`${appUrl}/search?query=vendor%20timeouts`);
    const chip = page.getByText('Postmortem', { exact: true }).first();
    try {
      await chip.waitFor({ timeout: 10_000 });
      break;
    } catch (error) {
      if (Date.now() > deadline) throw error;
    }
  }
  await page
    .getByRole('link', { name: /Learning review: .*vendor timeouts/i })
    .first()
    .waitFor();
  await page.getByRole('link', { name: 'subtitle-service' }).first().waitFor();
  await page.screenshot({
    path: path.join(artifacts, 'search.png'),
    fullPage: true,
  });
});

test('an owner records a near miss and a game day from the Learning tab: the near miss counts, the game day does not, and a suggested recurrence is confirmed', async page => {
  const tab = `${appUrl}/catalog/default/component/translation-orchestrator/learning`;
  await page.goto(tab);
  const frequency = page.getByTestId('headline-frequency');
  await frequency.waitFor({ timeout: 60_000 });
  const count = async () =>
    Number(/^(\d+)/.exec((await frequency.textContent()) ?? '')?.[1]);
  const before = await count();
  const stamp = Date.now().toString(36);
  const record = async (title, kind, failureMode) => {
    await page.getByRole('button', { name: 'Record incident' }).click();
    const dialog = page.getByRole('dialog', { name: 'Record an incident' });
    await dialog.getByLabel(/Title/).fill(title);
    await dialog.getByLabel('Kind').click();
    await page.getByRole('option', { name: kind, exact: true }).click();
    await dialog.getByLabel('Severity').click();
    await page.getByRole('option', { name: 'SEV4', exact: true }).click();
    if (failureMode) {
      await dialog.getByLabel('Failure modes').click();
      await page
        .getByRole('option', { name: failureMode, exact: true })
        .click();
      // close the suggestions by clicking elsewhere in the dialog (Escape would close the dialog)
      await dialog.getByRole('heading', { name: 'Record an incident' }).click();
      // earlier incidents like it are shown while the form is filled in, before anything is recorded
      await dialog
        .getByTestId('like-this-before')
        .getByRole('link')
        .first()
        .waitFor({ timeout: 30_000 });
    }
    await dialog
      .getByRole('button', { name: `Record ${kind.toLowerCase()}` })
      .click();
  };
  await record(
    `Translation queue backlog building up ${stamp}`,
    'Near miss',
    'capacity',
  );
  // earlier capacity incidents of this service are offered; the first is confirmed as what this repeats
  const seen = page.getByRole('dialog', { name: 'Seen before?' });
  await seen.getByTestId('seen-before').waitFor({ timeout: 30_000 });
  await seen
    .getByRole('button', { name: / is a recurrence of / })
    .first()
    .click();
  await seen.getByText('Recorded as a recurrence').waitFor();
  await page.screenshot({ path: path.join(artifacts, 'seen-before.png') });
  await seen.getByRole('button', { name: 'Done' }).click();
  await record(
    `Game day: translation vendor outage drill ${stamp}`,
    'Game day',
  );
  // recorded: the dialog closes, or asks about earlier incidents like it first
  await page.waitForFunction(
    () =>
      !document.querySelector('[role="dialog"]') ||
      document.body.innerText.includes('Seen before?'),
    undefined,
    { timeout: 30_000 },
  );
  if ((await page.getByRole('dialog', { name: 'Seen before?' }).count()) > 0)
    await page.getByRole('button', { name: 'Done' }).click();
  await page
    .getByRole('link', { name: new RegExp(`Game day: .*${stamp}`) })
    .first()
    .waitFor();
  await page
    .getByRole('link', { name: new RegExp(`backlog building up ${stamp}`) })
    .first()
    .waitFor();
  await page.reload();
  await frequency.waitFor({ timeout: 60_000 });
  const after = await count();
  if (after !== before + 1)
    throw new Error(
      `incidents in 90 days went from ${before} to ${after}: the near miss counts, the game day does not`,
    );
  // its row says how new the failure is for the service, counted when it was recorded
  const row = page
    .getByRole('row')
    .filter({ hasText: new RegExp(`backlog building up ${stamp}`) })
    .first();
  // the novelty is counted after the answer to the write: on a busy machine the first reload may come before it
  let label;
  for (let i = 0; i < 10 && label === undefined; i++) {
    try {
      await row.getByTestId('novelty').waitFor({ timeout: 3000 });
      label = (await row.getByTestId('novelty').textContent())?.trim();
    } catch {
      await page.reload();
      await frequency.waitFor({ timeout: 60_000 });
    }
  }
  if (!/^(Rare|Frequent) failure$/.test(label ?? ''))
    throw new Error(`the near miss's row says "${label}"`);
  // the near miss's page says what it repeats
  await page
    .getByRole('link', { name: new RegExp(`backlog building up ${stamp}`) })
    .first()
    .click();
  // the incident's own line (the "Seen before" card's buttons say "This is a recurrence of it" once its matches are in)
  await page
    .getByText(/^A recurrence of an earlier incident/)
    .waitFor({ timeout: 30_000 });
  // seen before: the earlier capacity incidents of the service, with what was learned, and the failure's novelty
  await page.getByTestId('related-match').first().waitFor({ timeout: 30_000 });
  const novelty = (await page.getByTestId('novelty').textContent())?.trim();
  if (!['Rare', 'Frequent'].includes(novelty ?? ''))
    throw new Error(`a repeated capacity failure is "${novelty}"`);
  const reasons =
    (await page.getByTestId('related-match').first().textContent()) ?? '';
  if (!/same failure mode capacity on translation-orchestrator/.test(reasons))
    throw new Error(`the first match says "${reasons.slice(0, 200)}"`);
  await page.screenshot({
    path: path.join(artifacts, 'seen-before-panel.png'),
    fullPage: true,
  });
});

test("an owner creates a GitHub issue from an action; closing it in GitHub makes the action done at GitHub's time, as GitHub Issues", async page => {
  const stamp = Date.now().toString(36);
  const title = `Alert on subtitle export queue depth ${stamp}`;
  // created by the guest, whose team owns the subtitle service
  const token = await guestToken();
  const created = await fetch(`${backendUrl}/api/learning/actions`, {
    method: 'POST',
    headers: {
      Authorization: `Bearer ${token}`,
      'Content-Type': 'application/json',
    },
    body: JSON.stringify({
      entityRef: 'component:default/subtitle-service',
      title,
      type: 'detect',
      priority: 'P2',
    }),
  });
  if (created.status !== 201)
    throw new Error(`POST /actions answered ${created.status}`);
  const action = await created.json();
  await page.goto(`${appUrl}/learning/actions/${action.id}`);
  await page
    .getByRole('button', { name: `Issue of ${title}` })
    .first()
    .click({ timeout: 60_000 });
  const dialog = page.getByRole('dialog', {
    name: `Tracker issue of ${title}`,
  });
  await dialog
    .getByRole('button', {
      name: 'Create issue in GitHub Issues (localizevideos/subtitle-service)',
    })
    .click({ timeout: 30_000 });
  const issueLink = dialog
    .getByTestId('tracker-link')
    .getByRole('link', { name: /localizevideos\/subtitle-service#\d+/ });
  await issueLink.waitFor({ timeout: 30_000 });
  const href = await issueLink.getAttribute('href');
  const number = /\/issues\/(\d+)$/.exec(href ?? '')?.[1];
  if (!number) throw new Error(`the issue links to "${href}"`);
  await page.screenshot({ path: path.join(artifacts, 'tracker-issue.png') });
  await dialog.getByRole('button', { name: 'Close' }).click();
  // a person closes the issue in GitHub: the stand-in delivers the signed issues webhook to the backend
  const closed = await fetch(
    `http://localhost:${
      prebuilt ? fakeGitHubPort : 7232
    }/_fake/repos/localizevideos/subtitle-service/issues/${number}`,
    {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ state: 'closed' }),
    },
  ).then(r => r.json());
  if (closed.status !== 200)
    throw new Error(`the webhook was answered ${closed.status}`);
  await page.reload();
  await page
    .getByRole('button', { name: `Status of ${title}` })
    .first()
    .waitFor({ timeout: 60_000 });
  const status = (
    await page
      .getByRole('button', { name: `Status of ${title}` })
      .first()
      .textContent()
  )?.trim();
  if (status !== 'Done') throw new Error(`the action is "${status}"`);
  await page
    .getByText('GitHub Issues changed status from Open to Done')
    .first()
    .waitFor({ timeout: 30_000 });
  const after = await fetch(`${backendUrl}/api/learning/actions/${action.id}`, {
    headers: { Authorization: 'Bearer learning-loop-demo-ci-token' },
  }).then(r => r.json());
  const closedAt = new Date(closed.payload.issue.closed_at).toISOString();
  if (after.completedAt !== closedAt)
    throw new Error(
      `completed at ${after.completedAt}, GitHub closed it at ${closedAt}`,
    );
  if (after.issue?.state !== 'closed')
    throw new Error(`the row's issue is ${JSON.stringify(after.issue)}`);
});

test('a runbook is added from the Learning tab, read on its own page, marked reviewed, and recorded as used in an incident', async page => {
  await page.goto(
    `${appUrl}/catalog/default/component/translation-orchestrator/learning`,
  );
  await page
    .getByRole('button', { name: 'Add runbook' })
    .click({ timeout: 60_000 });
  const dialog = page.getByRole('dialog', { name: 'Add a runbook' });
  const title = `Drain the translation queue ${Date.now().toString(36)}`;
  await dialog.getByLabel(/Title/).fill(title);
  await dialog
    .getByLabel('Steps (Markdown)')
    .fill('1. Pause intake\n2. **Scale** the workers to 20\n3. Resume intake');
  await dialog.getByRole('button', { name: 'Add runbook' }).click();
  await page.getByRole('link', { name: title }).click({ timeout: 30_000 });
  await page.waitForURL(/\/learning\/runbooks\/[\w-]+$/);
  await page.getByRole('heading', { name: title }).waitFor();
  await page.locator('strong', { hasText: 'Scale' }).waitFor();
  await page.getByText('Last reviewed never').waitFor();
  await page.getByRole('button', { name: 'Mark reviewed' }).click();
  await page
    .getByText(/Last reviewed (\d+ seconds? ago|now|in 0 seconds)/)
    .waitFor({ timeout: 30_000 });
  await page.screenshot({
    path: path.join(artifacts, 'runbook-page.png'),
    fullPage: true,
  });
  // used in the service's latest incident
  await page.goto(
    `${appUrl}/catalog/default/component/translation-orchestrator/learning`,
  );
  await page.getByText('Incident history').first().waitFor({ timeout: 60_000 });
  await page.locator('td a[href*="/learning/incidents/"]').first().click();
  await page.waitForURL(/\/learning\/incidents\/[\w-]+$/);
  const group = page.getByRole('group', {
    name: `Was ${title} used in this incident?`,
  });
  await group.getByRole('button', { name: 'Used' }).click();
  await page.waitForFunction(
    name =>
      [...document.querySelectorAll('[role="group"]')]
        .find(g => g.getAttribute('aria-label') === name)
        ?.querySelector('[aria-pressed="true"]')?.textContent === 'Used',
    `Was ${title} used in this incident?`,
    { timeout: 30_000 },
  );
  await page.reload();
  await page
    .getByRole('group', { name: `Was ${title} used in this incident?` })
    .getByRole('button', { name: 'Used', pressed: true })
    .waitFor({ timeout: 30_000 });
});

/** The screens people use, for the fit, names and screenshot checks. */
async function screens() {
  const draft = await aPostmortem('draft');
  const published = await aPostmortem('published');
  return [
    ['entity-tab', `${entityPath}/learning`, 'Incident history'],
    [
      'group-backlog',
      '/catalog/default/group/localization-team/learning',
      'Backlog of Localization',
    ],
    ['overview', '/learning', 'By team'],
    ['review', '/learning/reviews', 'Figures'],
    ['postmortem', `/learning/postmortems/${published.id}`, 'Learning review:'],
    ['editor', `/learning/postmortems/${draft.id}/edit`, 'Editing:'],
    [
      'actions',
      '/learning/actions?overdue=true',
      'Actions across the organisation',
    ],
  ];
}

test('at 1280 px no table overflows or breaks a word, and no screen shows an entity ref where a name belongs', async page => {
  await page.setViewportSize({ width: 1280, height: 900 });
  const problems = [];
  for (const [name, url, ready] of await screens()) {
    await page.goto(`${appUrl}${url}`);
    await page.getByText(ready).first().waitFor({ timeout: 60_000 });
    await settle(page);
    for (const misfit of await misfits(page))
      problems.push(`${name}: ${misfit}`);
    const refs = await refsShown(page);
    if (refs.length) problems.push(`${name} shows ${refs.join(', ')}`);
  }
  await page.setViewportSize({ width: 1400, height: 1000 });
  if (problems.length) throw new Error(problems.join('\n'));
});

test('at 390 px the action and incident tables are cards with status, owner and due date', async page => {
  await page.setViewportSize({ width: 390, height: 844 });
  try {
    await page.goto(`${appUrl}${entityPath}/learning`);
    const card = page.getByTestId('action-card').first();
    await card.waitFor({ timeout: 60_000 });
    if ((await page.locator('table').filter({ hasText: 'Due' }).count()) > 0)
      throw new Error('the actions are still a table at 390 px');
    await card.getByRole('button', { name: /^Status of / }).waitFor();
    await card.getByLabel(/^Owner of /).waitFor();
    await card.getByLabel(/^Due date of /).waitFor();
    const incident = page.getByTestId('incident-card').first();
    await incident.waitFor();
    const text = (await incident.textContent()) ?? '';
    if (
      !/SEV\d/.test(text) ||
      !/started/.test(text) ||
      !/resolved in|Open/.test(text)
    )
      throw new Error(`an incident card reads "${text}"`);
    const misfit = (await misfits(page)).filter(m => /page scrolls/.test(m));
    if (misfit.length) throw new Error(misfit.join('\n'));
  } finally {
    await page.setViewportSize({ width: 1400, height: 1000 });
  }
});

test('screenshots of every screen at 1440 and 390 px, in the light and the dark theme', async page => {
  const list = await screens();
  try {
    for (const theme of ['light', 'dark']) {
      await page.evaluate(t => localStorage.setItem('theme', t), theme);
      for (const width of [1440, 390]) {
        await page.setViewportSize({ width, height: width > 600 ? 900 : 844 });
        for (const [name, url, ready] of list) {
          await page.goto(`${appUrl}${url}`);
          await page.getByText(ready).first().waitFor({ timeout: 60_000 });
          await settle(page);
          const background = await page.evaluate(
            () => getComputedStyle(document.body).backgroundColor,
          );
          const dark = /rgb\((\d+), (\d+), (\d+)\)/
            .exec(background)
            ?.slice(1)
            .every(v => Number(v) < 100);
          if ((theme === 'dark') !== !!dark)
            throw new Error(
              `${name} is not in the ${theme} theme (${background})`,
            );
          await page.screenshot({
            path: path.join(
              artifacts,
              'screens',
              `${name}-${width}-${theme}.png`,
            ),
            fullPage: true,
          });
        }
      }
    }
  } finally {
    await page.evaluate(() => localStorage.setItem('theme', 'light'));
    await page.setViewportSize({ width: 1400, height: 1000 });
  }
});

// on customer-portal (web-team), which no other test reads, so a second run against the same demo still passes
test('an incident title with Markdown and HTML reads as typed in the monthly review, never as an image', async page => {
  const lastMonth = new Date();
  lastMonth.setUTCDate(1);
  lastMonth.setUTCMonth(lastMonth.getUTCMonth() - 1);
  lastMonth.setUTCDate(10);
  const title =
    '![pwned](/favicon.ico) <img src="/favicon.ico" data-e2e="tag"> **loud**';
  const response = await fetch(`${backendUrl}/api/learning/incidents`, {
    method: 'POST',
    headers: {
      Authorization: 'Bearer learning-loop-demo-ci-token',
      'Content-Type': 'application/json',
    },
    body: JSON.stringify({
      title,
      severity: 'SEV4',
      entityRefs: ['component:default/customer-portal'],
      startedAt: lastMonth.toISOString(),
    }),
  });
  if (!response.ok)
    throw new Error(`creating the incident: ${response.status}`);
  await page.goto(`${appUrl}/learning/reviews`);
  const review = page.getByTestId('review');
  await review
    .getByText(title, { exact: true })
    .first()
    .waitFor({ timeout: 60_000 });
  const images = await review.locator('img').count();
  if (images > 0)
    throw new Error(`the review renders ${images} image(s) from a title`);
  for (const width of [1440, 390]) {
    await page.setViewportSize({ width, height: 900 });
    await page.screenshot({
      path: path.join(artifacts, `review-${width}.png`),
      fullPage: true,
    });
  }
  await page.setViewportSize({ width: 1400, height: 1000 });
});

test(`none of ${injectionVectors.length} script-injection vectors executes where Learning Loop shows text`, async page => {
  const headers = {
    Authorization: 'Bearer learning-loop-demo-ci-token',
    'Content-Type': 'application/json',
  };
  const api = async (method, route, body) => {
    const response = await fetch(`${backendUrl}/api/learning/${route}`, {
      method,
      headers,
      body: body && JSON.stringify(body),
    });
    if (!response.ok) {
      throw new Error(
        `${method} ${route}: ${response.status} ${await response.text()}`,
      );
    }
    return response.json();
  };
  const target = 'component:default/customer-portal';
  const all = injectionVectors.join('\n\n');
  const now = Date.now();
  const incidents = [];
  for (const [index, vector] of injectionVectors.entries()) {
    incidents.push(
      await api('POST', 'incidents', {
        title: vector,
        severity: 'SEV3',
        entityRefs: [target],
        startedAt: new Date(now - (index + 1) * 60_000).toISOString(),
        summary: vector,
      }),
    );
    await api('POST', 'actions', {
      entityRef: target,
      title: vector,
      description: vector,
      priority: 'P2',
      owner: 'group:default/web-team',
    });
  }
  const runbook = await api('POST', 'runbooks', {
    entityRef: target,
    title: injectionVectors[0],
    body: all,
  });
  const postmortem = await api('POST', 'postmortems', {
    title: injectionVectors[1],
    incidentIds: [incidents[0].id],
  });
  await api('PATCH', `postmortems/${postmortem.id}`, {
    version: postmortem.version,
    summary: all,
    impact: all,
    lessons: all,
    timeline: injectionVectors.map((text, index) => ({
      at: new Date(now - index * 1000).toISOString(),
      kind: 'diagnosis',
      text,
    })),
    contributingFactors: injectionVectors.map(text => ({
      category: 'tooling',
      text,
    })),
  });

  const probe = await page.context().newPage();
  const executed = [];
  await probe.exposeFunction('__recordXss', id => executed.push(id));
  await probe.addInitScript(() => {
    window.__xss = id => window.__recordXss(String(id));
  });
  probe.on('dialog', dialog => {
    executed.push(`dialog: ${dialog.message()}`);
    dialog.dismiss().catch(() => {});
  });
  const visit = async (url, rendered) => {
    await probe.goto(`${appUrl}${url}`);
    await rendered();
    await probe.mouse.move(300, 300);
    await sleep(1_500);
    // nothing rendered may point at script: links, frames, objects and form actions
    const unsafe = await probe.$$eval(
      'a[href], iframe, object, embed, form, button[formaction], base',
      elements =>
        elements
          .map(e =>
            ['href', 'src', 'srcdoc', 'data', 'action', 'formaction']
              .map(name => e.getAttribute(name))
              .filter(Boolean)
              .join(' '),
          )
          .filter(value => /javascript:|data:text\/html|<script/i.test(value)),
    );
    if (unsafe.length > 0) {
      throw new Error(
        `unsafe markup rendered on ${url}: ${unsafe.join(' | ')}`,
      );
    }
  };
  await visit('/catalog/default/component/customer-portal/learning', () =>
    probe
      .getByText(injectionVectors[0], { exact: true })
      .first()
      .waitFor({ timeout: 60_000 }),
  );
  await visit(`/learning/postmortems/${postmortem.id}`, () =>
    probe
      .getByText('markdown link', { exact: true })
      .first()
      .waitFor({ timeout: 30_000 }),
  );
  await visit(`/learning/runbooks/${runbook.id}`, () =>
    probe
      .getByRole('heading', { name: injectionVectors[0] })
      .first()
      .waitFor({ timeout: 30_000 }),
  );
  await visit(`/learning/incidents/${incidents[0].id}`, () =>
    probe.getByText('What happened').first().waitFor({ timeout: 30_000 }),
  );
  await visit('/catalog/default/group/web-team/learning', () =>
    probe
      .getByText(/window\.__xss\(\d+\)/)
      .first()
      .waitFor({ timeout: 30_000 }),
  );
  await visit('/learning/reviews', () =>
    probe
      .getByText(/Monthly incident review/)
      .first()
      .waitFor({ timeout: 30_000 }),
  );
  await probe.screenshot({
    path: path.join(artifacts, 'injection.png'),
    fullPage: true,
  });
  await probe.close();
  if (executed.length > 0) {
    throw new Error(`injected script ran: ${executed.join(', ')}`);
  }
});

async function main() {
  mkdirSync(path.join(artifacts, 'screens'), { recursive: true });
  let passed = 0;
  let failed = 0;
  let demo;
  let browser;
  try {
    demo = await startDemo();
    await waitForDemoData();
    browser = await chromium.launch({
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
      // Playwright gives every launch a fresh, empty profile directory of its own
    });
    const context = await browser.newContext({
      viewport: { width: 1400, height: 1000 },
    });
    const page = await context.newPage();
    page.setDefaultTimeout(30_000);
    for (const { name, fn } of tests) {
      const started = Date.now();
      try {
        await fn(page);
        passed += 1;
        console.log(`e2e: ✓ ${name} (${Date.now() - started} ms)`);
      } catch (error) {
        failed += 1;
        console.log(
          `e2e: ✗ ${name}\n    ${String(error?.message ?? error)
            .split('\n')
            .slice(0, 6)
            .join('\n    ')}`,
        );
        await page
          .screenshot({
            path: path.join(artifacts, `failed-${passed + failed}.png`),
            fullPage: true,
          })
          .catch(() => {});
      }
    }
  } catch (error) {
    // every case that did not run is a failure, not one
    failed = tests.length - passed;
    console.log(
      `e2e: ✗ set-up failed, ${failed} case(s) not run: ${
        error?.message ?? error
      }`,
    );
  } finally {
    await browser?.close().catch(() => {});
    stopDemo(demo);
  }
  console.log(
    `e2e: ${passed} passed, ${failed} failed (screenshots in e2e-artifacts/)`,
  );
  if (resultsFile)
    writeFileSync(resultsFile, JSON.stringify({ passed, failed }));
  process.exit(failed > 0 ? 1 : 0);
}

main();
