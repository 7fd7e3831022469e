// Loads Credence's reports in Debian's headless Chromium, as a reviewer's browser would:
//  - the HTML report of a case whose fields hold `<script>`, inline styles, an image with an
//    error handler and backticks shows all of it as text: no script, no dialog, no injected
//    element, no console error;
//  - the Markdown report of the same case, turned into HTML by pandoc, likewise;
//  - the HTML reports of the Trebes and Paris cases show the verdict, settled or open, each
//    score with its probability and ICD 203 word, and the timeline on the first screen at
//    1280×800, with no console error;
//  - with `--hypotheses`, the report of the hostile case (whose claimant names a group in
//    HTML) is as inert, and the Mumbai report shows the matrix: a row per hypothesis, the
//    leader, and a cell per hypothesis in every evidence row;
//  - a corpus report's index lists every case, links each scored one to its page, and the page
//    of the hostile case is as inert as its single report.
// Run from the repository root after `cargo build`: `node tests/browser/reports.mjs`.
// `--screenshots DIR` also saves the first screens of the Trebes and Paris reports there.

import { chromium } from 'playwright-core';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const credence = process.env.CREDENCE_BIN ?? 'target/debug/credence';
const chromiumPath = process.env.CHROMIUM ?? '/usr/bin/chromium';
const shotsAt = process.argv.indexOf('--screenshots');
const shots = shotsAt > 0 ? process.argv[shotsAt + 1] : null;
const scratch = mkdtempSync(join(tmpdir(), 'credence-browser-'));
let failures = 0;

function check(ok, what) {
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`);
  if (!ok) failures += 1;
}

function score(format, casePath, ...extra) {
  return execFileSync(credence, ['score', ...extra, '--format', format, 'rules/', casePath], {
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  });
}

// A case whose text tries every way into a reviewer's page.
const hostile = JSON.parse(readFileSync('tests/data/fixtures/cases/small.json', 'utf8'));
hostile.id = '<script>alert(1)</script>';
hostile.claim.channel =
  '`amaq` <span style="color:red" id="injected">red</span> <img src=x onerror="alert(2)"> ``tick';
const hostilePath = join(scratch, 'hostile.json');
writeFileSync(hostilePath, JSON.stringify(hostile));

const browser = await chromium.launch({
  executablePath: chromiumPath,
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ],
});

async function open(html, name) {
  const path = join(scratch, `${name}.html`);
  writeFileSync(path, html);
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  const problems = [];
  const dialogs = [];
  page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
  page.on('pageerror', (e) => problems.push(e.message));
  page.on('dialog', async (d) => {
    dialogs.push(d.message());
    await d.dismiss();
  });
  await page.goto(pathToFileURL(path).href, { waitUntil: 'load' });
  return { page, problems, dialogs };
}

async function assertInert(page, dialogs, label) {
  const text = await page.evaluate(() => document.body.innerText);
  check(text.includes('<script>alert(1)</script>'), `${label}: the script tag shows as text`);
  check(text.includes('<span style="color:red" id="injected">'), `${label}: the inline style shows as text`);
  check(text.includes('`amaq`'), `${label}: backticks show as text`);
  const injected = await page.evaluate(() => ({
    scripts: [...document.scripts].filter((s) => s.textContent.includes('alert')).length,
    spans: document.querySelectorAll('#injected').length,
    images: document.querySelectorAll('img').length,
  }));
  check(injected.scripts === 0, `${label}: no script from the case`);
  check(injected.spans === 0 && injected.images === 0, `${label}: no element from the case`);
  await page.waitForTimeout(200);
  check(dialogs.length === 0, `${label}: no dialog (${dialogs.join(', ')})`);
}

// 1. The HTML report of the hostile case.
{
  const { page, problems, dialogs } = await open(score('html', hostilePath), 'hostile');
  await assertInert(page, dialogs, 'HTML');
  check(problems.length === 0, `HTML: no console error (${problems.join('; ')})`);
  const scripts = await page.evaluate(() => document.scripts.length);
  check(scripts === 0, 'HTML: the report has no script at all');
  await page.close();
}

// 2. The Markdown report of the hostile case, rendered by pandoc.
{
  const markdown = score('markdown', hostilePath);
  const html = execFileSync(
    'pandoc',
    ['--from', 'commonmark', '--to', 'html', '--standalone', '--metadata', 'title=report'],
    { input: markdown, encoding: 'utf8' },
  );
  const { page, dialogs } = await open(html, 'markdown');
  await assertInert(page, dialogs, 'Markdown via pandoc');
  await page.close();
}

// 3. The first screen of real reports.
for (const name of ['trebes-2018', 'paris-2015']) {
  const { page, problems } = await open(score('html', `fixtures/real/${name}.json`), name);
  check(problems.length === 0, `${name}: no console error (${problems.join('; ')})`);
  const visible = async (selector) => {
    const boxes = await page.$$eval(selector, (elements) =>
      elements.map((e) => {
        const r = e.getBoundingClientRect();
        return { top: r.top, bottom: r.bottom, width: r.width, height: r.height };
      }),
    );
    return (
      boxes.length > 0 &&
      boxes.every((b) => b.width > 0 && b.height > 0 && b.top >= 0 && b.bottom <= 800)
    );
  };
  check(await visible('#verdict'), `${name}: the verdict is on the first screen`);
  check(await visible('#state'), `${name}: settled or open is on the first screen`);
  check(await visible('section.score'), `${name}: every score is on the first screen`);
  check(await visible('#timeline'), `${name}: the timeline is on the first screen`);
  // The judgement over time names what changed the verdict, as `credence timeline` does.
  const judgements = await page.$$eval('#judgements tr', (trs) => trs.map((tr) => tr.innerText));
  const changed = judgements.find((row) => /credible claim: directed attack/.test(row));
  check(
    name !== 'paris-2015' || (changed !== undefined && /incident\.attacker\.prior_contact/.test(changed)),
    `${name}: the timeline shows the finding of contact turning the verdict directed (${changed})`,
  );
  const first = await page.evaluate(() => document.querySelector('section.score').innerText);
  check(/\d+\.\d%/.test(first) && /ICD 203/.test(first), `${name}: probability with its ICD 203 word`);
  if (shots) {
    await page.screenshot({ path: join(shots, `report-${name}.png`) });
  }
  await page.close();
}

// 4. A corpus report: the index lists every case and links to its page.
{
  const batch = join(scratch, 'batch.jsonl');
  const broken = JSON.parse(JSON.stringify(hostile));
  broken.claim.published_at = 'yesterday';
  writeFileSync(batch, [hostile, broken].map((c) => JSON.stringify(c)).join('\n') + '\n');
  const out = join(scratch, 'report');
  let status = 0;
  try {
    execFileSync(credence, ['report', 'rules/', 'fixtures/real/trebes-2018.json', batch, '--out', out], {
      stdio: 'pipe',
    });
  } catch (e) {
    status = e.status;
  }
  check(status === 3, `report: exit 3 for the case that could not be scored (got ${status})`);
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  const problems = [];
  const dialogs = [];
  page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
  page.on('pageerror', (e) => problems.push(e.message));
  page.on('dialog', async (d) => {
    dialogs.push(d.message());
    await d.dismiss();
  });
  await page.goto(pathToFileURL(join(out, 'index.html')).href, { waitUntil: 'load' });
  const rows = await page.$$eval('#cases tbody tr', (trs) => trs.length);
  check(rows === 3, `report index: a row per case (${rows})`);
  const links = await page.$$eval('#cases a', (as) => as.map((a) => a.getAttribute('href')));
  check(links.length === 2, `report index: a link per scored case (${links.join(', ')})`);
  await page.click('#cases a[href="batch-1.html"]');
  await page.waitForLoadState('load');
  await assertInert(page, dialogs, 'report page');
  check(problems.length === 0, `report: no console error (${problems.join('; ')})`);
  await page.close();
}

// 5. The competing hypotheses: a hostile group name stays text; the Mumbai matrix is whole.
{
  const named = JSON.parse(JSON.stringify(hostile));
  named.claim.claimant = '<script>alert(1)</script>';
  const namedPath = join(scratch, 'named.json');
  writeFileSync(namedPath, JSON.stringify(named));
  const { page, problems, dialogs } = await open(score('html', namedPath, '--hypotheses'), 'hypotheses-hostile');
  await assertInert(page, dialogs, 'HTML with hypotheses');
  const section = await page.evaluate(() => document.querySelector('#hypotheses')?.innerText ?? '');
  check(section.includes('<script>alert(1)</script> planned'), 'HTML with hypotheses: the group name shows as text in its hypothesis');
  check(problems.length === 0, `HTML with hypotheses: no console error (${problems.join('; ')})`);
  await page.close();
}
{
  const { page, problems } = await open(
    score('html', 'fixtures/real/mumbai-2008.json', '--hypotheses'),
    'hypotheses-mumbai',
  );
  const tables = await page.$$eval('#hypotheses table', (ts) =>
    ts.map((t) => [...t.querySelectorAll('tbody tr')].map((tr) => tr.querySelectorAll('td').length)),
  );
  check(tables.length === 2 && tables[0].length === 6, `hypotheses: a row per hypothesis (${JSON.stringify(tables[0])})`);
  check(tables[1]?.every((cells) => cells === 7), 'hypotheses: every evidence row has a cell per hypothesis');
  const text = await page.evaluate(() => document.querySelector('#hypotheses').innerText);
  check(/Settled: H3 \(Lashkar-e-Taiba planned/.test(text) && /leader/.test(text), 'hypotheses: the settled leader is named');
  check(problems.length === 0, `hypotheses: no console error (${problems.join('; ')})`);
  await page.close();
}

await browser.close();
if (failures > 0) {
  console.log(`${failures} check(s) failed`);
  process.exit(1);
}
console.log('all browser checks passed');
