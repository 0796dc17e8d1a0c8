import fs from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeContainer, runContainer } from '../../scripts/testbed/control.js';
import { launchChromium } from '../support/browser.js';
import { getTestbed } from '../support/testbed.js';
import { startWebConsole, UI_DIR } from '../support/web-console.js';

const testbed = getTestbed();
let browser: Browser;
let web: Awaited<ReturnType<typeof startWebConsole>>;
let page: Page;
const CONTAINER = 'fleet-e2e-visible';

beforeAll(async () => {
  if (!fs.existsSync(`${UI_DIR}/index.html`)) throw new Error('dist/renderer is missing: run `npm run build` (npm test does)');
  await runContainer(testbed, 'alpha', CONTAINER, { labels: { 'fleet.e2e': '1' } });
  web = await startWebConsole();
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1024, height: 768 } });
});

afterAll(async () => {
  await browser?.close();
  await web?.close();
  await removeContainer(testbed, 'alpha', CONTAINER);
});

describe('web console in Chromium', () => {
  it('signs in with the one-time URL, and the token is gone from the address bar', async () => {
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text());
    });
    await page.goto(web.server.launchUrl);
    expect(page.url()).not.toContain('token=');
    await page.getByTestId('add-host-button').waitFor();
    expect(errors).toEqual([]);
  });

  it('adds a host after the user confirms its fingerprint, then shows a container the test started', async () => {
    await page.getByTestId('add-host-button').click();
    await page.getByTestId('host-form-name').fill('alpha');
    await page.getByTestId('host-form-address').fill('127.0.0.1');
    await page.getByTestId('host-form-port').fill(String(testbed.alpha.sshPort));
    await page.getByTestId('host-form-user').fill(testbed.admin.user);
    await page.getByTestId('host-form-auth-kind').selectOption('key');
    await page.getByTestId('host-form-key-path').fill(testbed.admin.keyPath);
    await page.getByTestId('host-form-docker-socket').fill(testbed.alpha.dockerSocket);
    await page.getByTestId('probe-button').click();

    // Nothing is stored until the user has seen and accepted the key.
    await expect.poll(() => page.getByTestId('fingerprint').textContent()).toContain(testbed.alpha.hostKeyFingerprint);
    expect(await web.console.call('hosts.list', {})).toEqual([]);
    await page.getByTestId('trust-and-add-button').click();

    await page.getByTestId('containers-table').waitFor({ timeout: 30_000 });
    await page.getByTestId('containers-filter').fill(CONTAINER);
    await page.getByTestId(`container-row-${CONTAINER}`).waitFor({ timeout: 30_000 });
    expect(await page.getByTestId(`container-row-${CONTAINER}`).textContent()).toContain('running');

    const [host] = await web.console.call('hosts.list', {});
    expect(host).toMatchObject({ name: 'alpha', hostKey: { fingerprint: testbed.alpha.hostKeyFingerprint } });
    await page.getByTestId('host-search').fill('alpha');
    await expect.poll(() => page.getByTestId('host-status-alpha').getAttribute('data-state')).toBe('connected');
  });

  it('runs the host check and shows each step', async () => {
    await page.getByTestId('check-button').click();
    await page.getByTestId('check-result').waitFor({ timeout: 60_000 });
    expect(await page.getByTestId('check-step-docker').getAttribute('data-status')).toBe('ok');
    expect(await page.getByTestId('check-step-postgres').getAttribute('data-status')).toBe('skipped');
  });

  it('keeps the session across a reload, and refuses the used token in a new browser', async () => {
    await page.reload();
    await page.getByTestId('add-host-button').waitFor();
    const other = await browser.newContext();
    const otherPage = await other.newPage();
    const response = await otherPage.goto(web.server.launchUrl);
    expect(response?.status()).toBe(401);
    await other.close();
  });
});
