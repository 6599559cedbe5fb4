/** Before any test: one renderer build for the whole run, made only if it is missing or stale. */
import { ensureRendererBuild } from '../scripts/renderer-build.ts';
import { describeChromium } from './support/chromium.ts';

export default function globalSetup(): void {
  ensureRendererBuild({ log: (line) => console.log(`e2e: ${line}`) });
  console.log(`e2e: browser runs use ${describeChromium()}`);
}
