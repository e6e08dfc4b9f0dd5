// The dashboard in a real browser (Debian's Chromium via playwright-core) against a real kernel:
// http-api on 127.0.0.1 port 0, the monitors watching a git repository made in a temp dir, the
// analyzers. Screenshots of every page go to test/artifacts/dashboard/.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import httpApi from '@devflow/plugin-http-api';
import { ARTIFACTS, freePort, launchBrowser, type Stack, startStack, waitFor } from './stack.js';

const XSS_SUBJECT = 'feat: <img src=x onerror="window.__xss=1"> bold';
const XSS_FILE = '<img src=x onerror=window.__xss=2>.ts';
const PAGES = [
  ['overview', 'Overview'],
  ['activity', 'Activity'],
  ['tasks', 'Tasks'],
  ['metrics', 'Metrics'],
  ['reports', 'Reports'],
  ['plugins', 'Plugins'],
  ['audit', 'Audit log'],
  ['sync', 'Sync'],
  ['ai-clients', 'AI clients'],
] as const;

const shot = (page: Page, name: string) => page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });

/** Every card on the page has finished loading (no "Loading…", nothing busy). */
async function settled(page: Page): Promise<void> {
  await page.waitForFunction(() => !document.querySelector('.card-body[aria-busy="true"]') && ![...document.querySelectorAll('.card-body')].some((b) => b.textContent?.trim() === 'Loading…'));
}

describe('dashboard in Chromium, admin session', { timeout: 240_000 }, () => {
  let stack: Stack;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const pageErrors: string[] = [];

  before(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    stack = await startStack({ subject: XSS_SUBJECT, branch: 'feature/PROJ-7-<b>login</b>' });
    browser = await launchBrowser();
    context = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
    page = await context.newPage();
    page.setDefaultTimeout(20_000);
    page.on('pageerror', (e) => pageErrors.push(e.message));
    writeFileSync(join(stack.project, XSS_FILE), 'export const x = 1;\n');
    await stack.tk.waitForEvent((e) => e.type === 'file-monitor.file.changed' && (e.data as { path?: string }).path === XSS_FILE, 10_000);
  });
  after(async () => {
    await browser?.close();
    await stack?.close();
  });

  it('signs in through the login URL and shows the overview with live connection', async () => {
    await page.goto(stack.loginUrl('/'));
    assert.equal(new URL(page.url()).pathname, '/');
    assert.equal(await page.locator('main h1').textContent(), 'Overview');
    await page.waitForSelector('#conn[data-state="live"]');
    await settled(page);
    for (const id of ['stage', 'today', 'bottlenecks', 'context', 'recent']) assert.equal(await page.locator(`[data-card="${id}"]`).count(), 1, id);
    assert.match((await page.locator('[data-card="context"]').textContent()) ?? '', /feature\/PROJ-7-<b>login<\/b>/);
    await page.locator('ol.activity li[data-type="file-monitor.file.changed"]').first().waitFor();
    await shot(page, 'overview');
  });

  it('escapes commit subjects, branch names and file paths (no markup runs)', async () => {
    await page.locator('ol.activity li', { hasText: XSS_FILE }).first().waitFor();
    assert.equal(await page.evaluate(() => (window as { __xss?: number }).__xss), undefined);
    assert.equal(await page.locator('main img').count(), 0);
    assert.equal(await page.locator('main b').count(), 0);
  });

  it('clicks through every page in the nav', async () => {
    for (const [id, title] of PAGES) {
      await page.click(`nav a[data-route="${id}"]`);
      await page.waitForFunction((t) => document.querySelector('main h1')?.textContent === t, title);
      assert.equal(await page.getAttribute(`nav a[data-route="${id}"]`, 'aria-current'), 'page');
      await settled(page);
      if (id === 'activity') await page.locator('ol.activity li[data-seq]').first().waitFor();
      if (id === 'tasks') await page.locator('[data-card="tasks"] table').waitFor();
      if (id === 'metrics') await page.locator('[data-card="charts"] svg.chart').first().waitFor();
      if (id === 'audit') await page.locator('table.audit tbody tr').first().waitFor();
      if (id === 'sync' || id === 'ai-clients') assert.match((await page.locator('main').textContent()) ?? '', /Not configured yet/);
      await shot(page, id);
    }
    assert.deepEqual(pageErrors, []);
  });

  it('filters the activity by type and keeps the filter in the URL', async () => {
    await page.goto(`${stack.url}/activity`);
    await page.selectOption('form.filters select[name="type"]', 'git-monitor.*');
    await page.waitForURL(/type=git-monitor/);
    await page.locator('ol.activity li[data-type="git-monitor.commit.created"]').first().waitFor();
    assert.equal(await page.locator('ol.activity li[data-type^="file-monitor"]').count(), 0);
    // Projects come from devflow_status; choosing one narrows the list to it.
    await page.locator(`form.filters select[name="project"] option[value="${stack.project}"]`).waitFor({ state: 'attached' });
    await page.selectOption('form.filters select[name="project"]', stack.project);
    await page.waitForURL(/project=/);
    await page.locator('ol.activity li[data-type="git-monitor.commit.created"]').first().waitFor();
    assert.equal(await page.locator('form.filters select[name="type"]').inputValue(), 'git-monitor.*');
  });

  it('shows a task timeline when a task is chosen', async () => {
    await page.goto(`${stack.url}/tasks`);
    await page.locator('[data-card="tasks"] a[data-link]').first().click();
    await page.waitForURL(/\/tasks\?task=/);
    await page.locator('[data-card="timeline"] ol.timeline li').first().waitFor();
  });

  it('metrics: switches the period and draws the charts', async () => {
    await page.goto(`${stack.url}/trends`);
    await page.selectOption('form.filters select[name="period"]', 'month');
    await page.waitForURL(/period=month/);
    await page.locator('[data-card="charts"] svg.chart rect.bar').first().waitFor({ state: 'attached' });
    assert.ok((await page.locator('[data-card="charts"] rect.bar').count()) >= 28);
    await settled(page);
  });

  it('reports: views the HTML report in a sandboxed frame and downloads Markdown and JSON', async () => {
    await page.goto(`${stack.url}/reports`);
    await page.click('form.filters button[name="view"]');
    const frame = page.locator('.viewer iframe');
    await frame.waitFor();
    assert.equal(await frame.getAttribute('sandbox'), '');
    await page.frameLocator('.viewer iframe').locator('body').waitFor();
    assert.match((await page.frameLocator('.viewer iframe').locator('body').textContent()) ?? '', /report/i);
    await page.locator('[data-card="files"] button[data-file]').first().waitFor();
    await shot(page, 'reports-view');
    for (const [format, ext] of [['markdown', '.md'], ['json', '.json']] as const) {
      const [download] = await Promise.all([page.waitForEvent('download'), page.click(`button[data-dl="${format}"]`)]);
      assert.ok(download.suggestedFilename().endsWith(ext), download.suggestedFilename());
    }
  });

  it('plugins: disables and enables a plugin, the list following live', async () => {
    await page.goto(`${stack.url}/plugins`);
    const row = page.locator('tr[data-plugin="notifications"]');
    await row.waitFor();
    assert.equal(await row.getAttribute('data-state'), 'started');
    assert.ok(await page.locator('button[data-toggle="dashboard"]').isDisabled());
    await row.locator('button[data-toggle]').click();
    await page.locator('tr[data-plugin="notifications"][data-state="disabled"]').waitFor();
    await page.locator('.status', { hasText: 'notifications disabled' }).waitFor();
    await shot(page, 'plugins-disabled');
    await page.locator('tr[data-plugin="notifications"] button[data-toggle]', { hasText: 'Enable' }).click();
    await page.locator('tr[data-plugin="notifications"][data-state="started"]').waitFor();
    const states = stack.tk.events.filter((e) => e.type.startsWith('kernel.plugin.') && (e.data as { plugin?: string }).plugin === 'notifications').map((e) => e.type);
    assert.deepEqual(states.slice(-2), ['kernel.plugin.stopped', 'kernel.plugin.started']);
  });

  it('a file changed in the watched project shows up on Overview and Activity without a reload', async () => {
    for (const [path, list] of [['/', 'Latest activity'], ['/activity', 'Events']] as const) {
      await page.goto(`${stack.url}${path}`);
      await page.waitForSelector('#conn[data-state="live"]');
      await settled(page);
      await page.evaluate(() => ((window as { __sameDocument?: boolean }).__sameDocument = true));
      const name = `live-${path === '/' ? 'overview' : 'activity'}.ts`;
      writeFileSync(join(stack.project, name), `export const t = ${Date.now()};\n`);
      await page.locator(`ol.activity[aria-label="${list}"] li`, { hasText: name }).first().waitFor({ timeout: 10_000 });
      assert.equal(await page.evaluate(() => (window as { __sameDocument?: boolean }).__sameDocument), true);
      if (path === '/') {
        // The Today card was refreshed too: its edit count includes the new file.
        await page.waitForFunction(() => /lines in \d+ files/.test(document.querySelector('[data-card="today"]')?.textContent ?? ''));
        await shot(page, 'overview-live');
      }
    }
  });

  it('works at a narrow width and in dark mode', async () => {
    const narrow = await context.newPage();
    await narrow.setViewportSize({ width: 375, height: 800 });
    await narrow.emulateMedia({ colorScheme: 'dark' });
    await narrow.goto(`${stack.url}/`);
    await settled(narrow);
    const overflow = await narrow.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 1, `page is ${overflow}px wider than the viewport`);
    const bg = await narrow.evaluate(() => getComputedStyle(document.body).backgroundColor);
    const light = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    assert.notEqual(bg, light);
    await shot(narrow, 'overview-narrow-dark');
    await narrow.close();
  });

  it('without a session: the app says how to sign in', async () => {
    const fresh = await browser.newContext();
    const p = await fresh.newPage();
    await p.goto(`${stack.url}/`);
    await p.locator('#banner', { hasText: 'open the link DevFlow printed (devflow start) to sign in' }).waitFor();
    await shot(p, 'signed-out');
    await fresh.close();
  });
});

describe('dashboard in Chromium, developer session', { timeout: 120_000 }, () => {
  let stack: Stack;
  let browser: Browser;
  before(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    stack = await startStack({ role: 'developer', full: false });
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await stack?.close();
  });

  it('the audit log says admins only; plugin management is refused with the reason', async () => {
    const page = await browser.newPage();
    page.setDefaultTimeout(20_000);
    await page.goto(stack.loginUrl('/audit'));
    await page.locator('[data-admins-only]', { hasText: 'Admins only' }).waitFor();
    await shot(page, 'audit-developer');
    await page.click('nav a[data-route="plugins"]');
    await page.locator('[data-card="plugins"] .notice', { hasText: 'Not allowed for your role' }).waitFor();
    // Pages whose plugins are not running say so instead of failing.
    await page.click('nav a[data-route="overview"]');
    await page.locator('[data-card="stage"] .notice', { hasText: 'Not available' }).waitFor();
    await page.close();
  });
});

describe('dashboard in Chromium, the server goes away and comes back', { timeout: 120_000 }, () => {
  let stack: Stack;
  let browser: Browser;
  before(async () => {
    stack = await startStack({ full: false, port: await freePort() });
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await stack?.close();
  });

  it('the indicator goes offline, the stream reconnects with backoff, and the page reloads its data', async () => {
    const page = await browser.newPage();
    page.setDefaultTimeout(20_000);
    await page.goto(stack.loginUrl('/plugins'));
    await page.waitForSelector('#conn[data-state="live"]');
    await page.locator('tr[data-plugin="admin"]').waitFor();
    const me = stack.tk.kernel.localPrincipal;
    await stack.tk.kernel.setPluginEnabled('http-api', false, me);
    await page.waitForSelector('#conn[data-state="offline"]');
    assert.match((await page.getAttribute('#conn', 'title')) ?? '', /retrying in \d+ s/);
    await shot(page, 'offline');
    await stack.tk.kernel.setPluginEnabled('http-api', true, me);
    assert.ok(await waitFor(() => stack.tk.use(httpApi).url(), Date.now() + 15_000), 'http-api listens again');
    await page.waitForSelector('#conn[data-state="live"]', { timeout: 30_000 });
    // After a reconnect the page reloads what it shows (events may have been missed).
    await page.locator('tr[data-plugin="dashboard"][data-state="started"]').waitFor();
    await page.close();
  });
});
