import { Session } from 'node:inspector/promises';
import { writeFileSync } from 'node:fs';
import { startPullServer } from './lib/fieldsync-pull.ts';
const kind = (process.argv[2] ?? 'memory') as 'memory';
const s = await startPullServer(100000);
for (let i = 0; i < 3; i++) await s.pull(kind);
const session = new Session(); session.connect(); await session.post('Profiler.enable'); await session.post('Profiler.start');
for (let i = 0; i < 5; i++) { const r = await s.pull(kind); console.log(Math.round(100000 / r.cpuSeconds)); }
const { profile } = await session.post('Profiler.stop');
writeFileSync('/tmp/prof/x.cpuprofile', JSON.stringify(profile));
await s.stop();
