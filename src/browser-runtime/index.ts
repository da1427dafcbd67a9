/**
 * Node-only: run tfjs models in a headless Chromium (Debian's, through playwright-core) with the
 * stock tfjs bundles served from a loopback server. Used by the browser objectives and the
 * browser tests; not exported from the package root so that importing condensa-ts does not load
 * playwright-core.
 */
export { DEFAULT_CHROMIUM, findChromium, launchChromium, type LaunchChromiumOptions } from './chromium.js';
export { startStaticServer, type StaticServer, type StaticServerOptions } from './static-server.js';
export {
  openTfjsPage,
  tfjsDistFolders,
  type BrowserBackend,
  type PageGlobals,
  type TfjsPage,
  type TfjsPageOptions,
} from './tfjs-page.js';
export { timeModelInPage } from './time-in-page.js';
