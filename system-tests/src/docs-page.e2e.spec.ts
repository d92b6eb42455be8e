import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { launchChromium, waitFor } from '@bank/testkit';
import { decode } from 'fast-png';
import { after as afterPosition, command, createApi, ok, type Schemas } from './support/api.js';
import { startSystem, type System } from './support/system.js';

/**
 * The API documentation as a person opens it: the gateway's /docs (Swagger UI) in Debian's
 * Chromium, every operation expanded without a render error, and "Try it out" on GET account
 * with a bearer token answering the account, on the whole stack.
 */

/** Swagger UI's own text when a part of an operation fails to render. */
const RENDER_ERROR = 'Could not render';

const VIEWPORT = { width: 1280, height: 900 };

/** Far more colours than a blank or single-colour page has: text, badges and method colours. */
const MIN_DISTINCT_COLOURS = 64;

type Browser = Awaited<ReturnType<typeof launchChromium>>;
type Page = Awaited<ReturnType<Browser['newPage']>>;

describe('the API docs page in a real browser', () => {
  let system: System;
  let browser: Browser;
  let page: Page;
  let token: string;
  let account: Schemas['Account'];
  /** Console errors and uncaught exceptions of the page, as they happen. */
  const pageErrors: string[] = [];

  before(async () => {
    system = await startSystem('e2e_docs');
    token = system.stack.mintToken('dora', ['customer']);
    const dora = createApi(system.stack.gatewayUrl, token);
    const opened = await ok(
      dora.POST('/v1/accounts', { params: { header: command() }, body: { currency: 'EUR' } }),
    );
    // The browser sends no consistency token: wait here until the views show the account.
    account = await ok(
      dora.GET('/v1/accounts/{id}', {
        params: { path: { id: opened.account.id }, header: afterPosition(opened.position) },
      }),
    );
    browser = await launchChromium();
    page = await browser.newPage({ viewport: VIEWPORT });
    page.on('console', (message) => {
      if (message.type() === 'error') pageErrors.push(`console: ${message.text()}`);
    });
    page.on('pageerror', (error) => pageErrors.push(`page error: ${error.message}`));
    await page.goto(`${system.stack.gatewayUrl}/docs`);
  });
  after(async () => {
    await browser?.close();
    await system?.stop();
  });

  it('shows every operation of the document, each expanded without a render error', async () => {
    const served = (
      await system.anonymous().get<{ paths: Record<string, object> }>('/openapi.json')
    ).body;
    const operations = Object.values(served.paths).reduce(
      (count, methods) => count + Object.keys(methods).length,
      0,
    );
    const blocks = page.locator('.opblock');
    await blocks.first().waitFor({ timeout: 30_000 });
    assert.equal(await blocks.count(), operations, 'one block per operation of /openapi.json');
    for (const summary of await page.locator('.opblock .opblock-summary-control').all()) {
      await summary.click();
    }
    const open = page.locator('.opblock.is-open .opblock-body');
    await waitFor(async () => (await open.count()) === operations, {
      timeoutMs: 30_000,
      description: 'every operation expanded',
    });
    assert.equal(await page.getByText(RENDER_ERROR).count(), 0, `no "${RENDER_ERROR}"`);
    assert.equal(await page.locator('.errors-wrapper').count(), 0, 'no document errors');
    assert.deepEqual(pageErrors, []);
  });

  it('runs "Try it out" on GET account with a bearer token and shows the account', async () => {
    await page.locator('.auth-wrapper .btn.authorize').click();
    const dialog = page.locator('.modal-ux');
    await dialog.locator('input').fill(token);
    await dialog.locator('button.authorize').click();
    await dialog.locator('button.btn-done').click();

    const operation = page.locator('#operations-accounts-getAccount');
    await operation.locator('.try-out__btn').click();
    await operation.locator('tr[data-param-name="id"] input').fill(account.id);
    await operation.locator('button.execute').click();
    const live = operation.locator('.live-responses-table');
    const status = live.locator('.response .response-col_status');
    await status.waitFor({ timeout: 15_000 });
    assert.equal((await status.innerText()).trim(), '200');
    const body = JSON.parse(
      await live.locator('.response-col_description pre').first().innerText(),
    ) as Schemas['Account'];
    assert.deepEqual(body, account);
    assert.match(await operation.locator('.curl-command').innerText(), /Authorization: Bearer /);
    assert.deepEqual(pageErrors, []);
  });

  it('saves a screenshot that is not blank', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'bank-docs-')), 'docs-page.png');
    // The answered "Try it out" of GET account, as the person who ran it sees it.
    await page
      .locator('#operations-accounts-getAccount .live-responses-table')
      .scrollIntoViewIfNeeded();
    await page.screenshot({ path: file });
    const png = decode(readFileSync(file));
    const colours = new Set<number>();
    for (let i = 0; i + png.channels <= png.data.length; i += png.channels) {
      const [r = 0, g = 0, b = 0] = png.data.subarray(i, i + 3);
      colours.add((r << 16) | (g << 8) | b);
    }
    assert.deepEqual([png.width, png.height], [VIEWPORT.width, VIEWPORT.height], file);
    assert.ok(
      colours.size > MIN_DISTINCT_COLOURS,
      `${file} has ${colours.size} distinct colours: it looks blank`,
    );
  });
});
