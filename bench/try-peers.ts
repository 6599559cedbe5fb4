import { peers } from './workloads/peers.ts';
const r = await peers({ changes: Number(process.argv[2] ?? 20000), repeats: 3, automergeChanges: 1000 });
for (const f of [r.fieldsync.memory, r.fieldsync.sqlite, ...r.peers]) console.log(f.name, Math.round(f.cpuPerSecond), Math.round(f.wallPerSecond), Math.round(f.heapBytesPerChange), f.bytesPerChange);
