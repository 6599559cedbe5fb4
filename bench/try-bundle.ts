import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'vite';
import { BUNDLE_ENTRIES } from './lib/bundle-size.ts';
const root = join(import.meta.dirname, '..');
mkdirSync(join(root, 'bench/results'), { recursive: true });
const dir = mkdtempSync(join(root, 'bench/results/.b-'));
writeFileSync(join(dir, 'app.js'), BUNDLE_ENTRIES.Fieldsync!());
const out = await build({ root: dir, configFile: false, logLevel: 'silent', resolve: { alias: { fieldsync: join(root, 'src/sync/index.ts') } },
  build: { write: false, minify: true, target: 'es2022', modulePreload: false, rollupOptions: { input: join(dir, 'app.js') } } });
const r = (Array.isArray(out) ? out[0] : out) as any;
for (const c of r.output) if (c.modules) for (const [id, m] of Object.entries(c.modules).sort((a: any, b: any) => b[1].renderedLength - a[1].renderedLength)) console.log((m as any).renderedLength, id.replace(root, ''));
writeFileSync('/tmp/bundle.js', r.output.map((c: any) => c.code ?? '').join('\n'));
