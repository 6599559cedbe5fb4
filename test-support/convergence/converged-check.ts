/**
 * The end of a convergence scenario (convergence.ts), after everyone synced to quiescence:
 * every write issued is held once (a restored client's since its backup at most once), the
 * replicas equal each other and the reference model (per cell, the value of the greatest-hlc
 * message), and the server holds each message at most once (exactly the winners with compaction).
 */
import { cellKey, type JsonValue } from 'fieldsync';
import { hlcClientId, type ServerMessage, type ServerStore } from 'fieldsync/server';
import { canonical } from 'fieldsync/testing';
import type { Replica } from './convergence.ts';
import { checkReplicasEqual } from './replica-checks.ts';

export async function checkConverged(replicas: readonly Replica[], issued: readonly { i: number; key: string; uncertain: boolean }[], restored: ReadonlySet<number>, server: ServerStore, compaction: boolean): Promise<void> {
  // Every change of each client, as its store holds it (with its final, possibly re-issued,
  // hlc): its local messages, and those a restored store got back from the server.
  const local: { i: number; hlc: string; table: string; row: string; column: string; value: JsonValue }[] = [];
  for (const [i, r] of replicas.entries()) {
    const status = r.client.status;
    if (status.pending !== 0 || status.rejected !== 0) throw new Error(`client ${i}: ${status.pending} pending, ${status.rejected} rejected after quiescence`);
    for (const m of await r.handle.store.messages({ kind: 'recent', limit: 1_000_000 })) {
      if (m.local || hlcClientId(m.hlc) === r.client.clientId) local.push({ i, ...m });
    }
  }
  // Each write issued is held once; one of a restored client since its backup at most once.
  // A restored client may hold one written before its backup twice: the backup kept it
  // pending, and it had been pushed since under another hlc (re-stamped after a clock_drift),
  // which comes back to it. Both copies hold the same value for the same cell.
  const left = new Map<string, { certain: number; uncertain: number; issued: number }>();
  for (const w of issued) {
    const n = left.get(w.key) ?? { certain: 0, uncertain: 0, issued: 0 };
    n.issued++;
    if (w.uncertain) n.uncertain++;
    else n.certain++;
    left.set(w.key, n);
  }
  for (const m of local) {
    const key = canonical([m.i, m.table, m.row, m.column, m.value]);
    const n = left.get(key);
    if (n && n.certain > 0) n.certain--;
    else if (n && n.uncertain > 0) n.uncertain--;
    else if (!(n && n.issued > 0 && restored.has(m.i))) throw new Error(`client ${m.i} holds a change it never wrote (or twice): ${key}`);
  }
  const missing = [...left].filter(([, n]) => n.certain > 0);
  if (missing.length > 0) throw new Error(`local changes missing: ${missing.map(([k]) => k).join(', ')}`);
  // The reference model: per cell, the value of the greatest-hlc message.
  const model = new Map<string, { hlc: string; value: JsonValue }>();
  for (const m of local) {
    const key = cellKey(m.table, m.row, m.column);
    const cur = model.get(key);
    if (!cur || m.hlc > cur.hlc) model.set(key, { hlc: m.hlc, value: m.value });
  }
  const expected = new Map([...model].filter(([, w]) => w.value !== null).map(([k, w]) => [k, canonical(w.value)]));
  const shown = await Promise.all(replicas.map((r) => r.handle.readCells()));
  checkReplicasEqual(shown);
  for (const [i, cells] of shown.entries()) {
    const actual = new Map([...cells].map(([k, v]) => [k, canonical(v)]));
    for (const [k, v] of expected) {
      if (actual.get(k) !== v) throw new Error(`client ${i}: cell ${JSON.stringify(k)} is ${actual.get(k)}, the model says ${v}`);
    }
    for (const k of actual.keys()) if (!expected.has(k)) throw new Error(`client ${i}: unexpected cell ${JSON.stringify(k)}`);
  }
  // The server holds each message at most once; all of them, or exactly the winners.
  const held: ServerMessage[] = [];
  for (let cursor = 0; ;) {
    const page = await server.pull('user', { cursor, limit: 1000, excludeClientId: 'observer' });
    held.push(...page.messages);
    cursor = page.cursor;
    if (!page.more) break;
  }
  const heldHlcs = held.map((m) => m.hlc);
  if (new Set(heldHlcs).size !== heldHlcs.length) throw new Error('the server holds a message twice');
  const want = compaction ? [...model.values()].map((w) => w.hlc) : local.map((m) => m.hlc);
  if (canonical([...heldHlcs].sort()) !== canonical([...want].sort())) {
    throw new Error(`the server's messages differ from the expected ones (${heldHlcs.length} held, ${want.length} expected, compaction ${compaction})`);
  }
  if (held.some((m) => !local.some((l) => l.hlc === m.hlc && hlcClientId(l.hlc) === hlcClientId(m.hlc)))) {
    throw new Error('the server holds a message no client wrote');
  }
}
