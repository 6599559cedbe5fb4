/** Before any test: one app build for the whole run, made only if it is missing or stale, and a browser. */
import { ensureAppBuild } from '../scripts/app-build.ts';
import { prepareChromium } from './support/chromium.ts';
import { electronSkipReason } from './support/electron-cluster.ts';

export default async function globalSetup(): Promise<void> {
  ensureAppBuild({ log: (line) => console.log(`e2e: ${line}`) });
  console.log(`e2e: the browser runs use ${await prepareChromium((line) => console.log(`e2e: ${line}`))}`);
  const reason = electronSkipReason();
  console.log(reason ? `e2e: the Electron runs are skipped: ${reason}` : 'e2e: the Electron runs use Electron’s binary from node_modules/electron');
}
