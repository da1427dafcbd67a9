import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import { CondensaError } from '../errors.js';

/** Where Chromium is looked for when `CONDENSA_CHROMIUM` is not set (Debian's `chromium` package). */
export const DEFAULT_CHROMIUM = '/usr/bin/chromium';

/** Options of {@link launchChromium}. */
export interface LaunchChromiumOptions {
  /** The browser binary. Default: `$CONDENSA_CHROMIUM`, else {@link DEFAULT_CHROMIUM}. */
  executablePath?: string;
  /** Extra command-line flags. */
  args?: string[];
}

/**
 * The Chromium binary that {@link launchChromium} would start, or undefined when there is none.
 *
 * @example
 * ```ts
 * if (!findChromium()) console.log('no Chromium: apt-get install chromium');
 * ```
 */
export function findChromium(explicit?: string): string | undefined {
  const path = explicit ?? process.env.CONDENSA_CHROMIUM ?? DEFAULT_CHROMIUM;
  return existsSync(path) ? path : undefined;
}

/**
 * Start a headless Chromium through playwright-core, using a browser already on the machine:
 * Playwright's own browser download is never used. Running as root (containers) needs
 * `--no-sandbox`, which is added then.
 *
 * @example
 * ```ts
 * const browser = await launchChromium();
 * const page = await browser.newPage();
 * await browser.close();
 * ```
 */
export async function launchChromium(opts: LaunchChromiumOptions = {}): Promise<Browser> {
  const executablePath = findChromium(opts.executablePath);
  if (!executablePath) {
    throw new CondensaError(
      `no Chromium at ${opts.executablePath ?? process.env.CONDENSA_CHROMIUM ?? DEFAULT_CHROMIUM}: ` +
        "install Debian's chromium (apt-get install chromium) or set CONDENSA_CHROMIUM to a Chromium binary",
    );
  }
  const args = [...(opts.args ?? [])];
  if (process.getuid?.() === 0) args.push('--no-sandbox');
  return chromium.launch({ executablePath, headless: true, args });
}
