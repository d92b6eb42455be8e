import type { Browser } from 'playwright-core';

/**
 * A real browser for tests: Debian's Chromium (installed by .ci/run) driven by playwright-core,
 * which downloads no browser of its own. Headless, without a sandbox (tests run as root),
 * without the GPU, and with nothing that reaches past the loopback (updates, sync, background
 * fetches).
 */

export const CHROMIUM_EXECUTABLE = '/usr/bin/chromium';

export const CHROMIUM_ARGS: readonly string[] = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/** Launches Chromium; close() it when done. Fails, saying what to install, when it is missing. */
export async function launchChromium(): Promise<Browser> {
  const { chromium } = await import('playwright-core');
  try {
    return await chromium.launch({
      executablePath: CHROMIUM_EXECUTABLE,
      headless: true,
      args: [...CHROMIUM_ARGS],
    });
  } catch (error) {
    throw new Error(
      `could not start ${CHROMIUM_EXECUTABLE} (Debian: apt-get install chromium): ${(error as Error).message}`,
      { cause: error },
    );
  }
}
