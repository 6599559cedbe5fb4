/**
 * The browser host validates exactly as Electron's IPC layer does: the same calls, sent to a
 * real app core once through `bindIpc` (with a fake `ipcMain`, from our window) and once
 * through the host's WebSocket (from our page), get the same envelopes, and a refused call
 * writes nothing either way.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CHANNELS, type Envelope } from '../../shared/app-api.ts';
import type { AnyRow } from '../../shared/app-api.ts';
import { bindIpc, type IpcEventLike } from '../../main/electron/ipc.ts';
import { call, messageCount, useCores } from '../../../test-support/core-fixture.ts';
import { listsSchema } from '../../../test-support/lists-schema.ts';
import { tempDir } from '../../../test-support/temp-dir.ts';
import { startWebHost, type WebHost } from '../web-host.ts';
import { codeOf, openPage } from '../testing/ws-client.ts';

const cores = useCores();
const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

async function setup() {
  const core = await cores.open({ schema: listsSchema });
  const list = await call<AnyRow>(core, 'create', 'lists', { name: 'Home' });

  // Electron: the IPC binding, with every sender trusted (the sender checks have their own tests).
  let handler: ((event: IpcEventLike, ...args: unknown[]) => Promise<Envelope>) | undefined;
  bindIpc({ handle: (_c, h) => void (handler = h), removeHandler: () => {} }, core.dispatch, () => true);
  const event: IpcEventLike = { sender: { id: 1 }, senderFrame: { url: 'file:///index.html', parent: null } };
  const viaIpc = (...ipcArgs: unknown[]): Promise<Envelope> => (handler as NonNullable<typeof handler>)(event, ...ipcArgs);

  // The browser host, in front of the same core.
  const dir = tempDir('fieldsync-host-');
  cleanup.push(() => dir.remove());
  mkdirSync(join(dir.path, 'renderer'));
  writeFileSync(join(dir.path, 'renderer', 'index.html'), '<html><head></head><body></body></html>');
  const host: WebHost = await startWebHost({ core, rendererDir: join(dir.path, 'renderer') });
  cleanup.push(() => host.close());
  const { ws } = await openPage({ port: host.port, code: codeOf(host.loginUrl()) }); // as a page signed in with its one-time link
  cleanup.push(() => ws.close());
  const answers = new Map<number, (e: Envelope) => void>();
  ws.on('message', (data) => {
    const frame = JSON.parse(String(data)) as { id?: number; envelope?: Envelope };
    if (typeof frame.id === 'number' && frame.envelope) answers.get(frame.id)?.(frame.envelope);
  });
  let nextId = 1;
  const viaWs = (frame: Record<string, unknown>): Promise<Envelope> => {
    const id = nextId++;
    return new Promise((resolve) => {
      answers.set(id, resolve);
      ws.send(JSON.stringify({ id, ...frame }));
    });
  };
  return { core, list, viaIpc, viaWs };
}

describe('the browser host validates as the IPC layer does', () => {
  it('gives the same answer to every bad call, and writes nothing', async () => {
    const { core, list, viaIpc, viaWs } = await setup();
    const before = messageCount(core);
    const calls: [string, unknown, unknown][] = [
      ['an unknown method', 'dropDatabase', []],
      ['a prototype key as method', '__proto__', []],
      ['no method', undefined, []],
      ['a method that is not text', 42, []],
      ['arguments that are not a list', 'rows', 'nope'],
      ['no arguments', 'create', undefined],
      ['too few arguments', 'create', ['todos']],
      ['too many arguments', 'info', [1]],
      ['an unknown table', 'rows', ['users', {}]],
      ['an argument of the wrong type', 'create', ['todos', { listId: list.id, title: 42 }]],
      ['an empty title', 'create', ['todos', { listId: list.id, title: '   ' }]],
      ['a 10,000-character title', 'create', ['todos', { listId: list.id, title: 'x'.repeat(10_000) }]],
      ['a control character', 'create', ['todos', { listId: list.id, title: 'a\nb' }]],
      ['a broken surrogate', 'update', ['lists', list.id, { name: 'bad \ud800' }]],
      ['an unknown field', 'update', ['lists', list.id, { colour: 'red' }]],
      ['an unknown id', 'update', ['todos', 'no-such-todo', { title: 'Fine' }]],
      ['an over-long id', 'delete', ['todos', 'i'.repeat(10_000)]],
      ['a bad flag', 'update', ['todos', list.id, { done: 'yes' }]],
      ['a fractional index', 'move', ['lists', list.id, 1.5]],
      ['an inspect limit out of range', 'inspect', [1_000_000]],
      ['an object for a string', 'create', ['lists', { name: { toString: 'x' } }]],
    ];
    for (const [name, method, args] of calls) {
      const ipc = await viaIpc(method, args);
      const ws = await viaWs({ method, args });
      expect(ipc.ok, name).toBe(false);
      expect(ws, name).toEqual(ipc);
    }
    // Extra IPC arguments, extra frame fields: the same refusal.
    expect(await viaWs({ method: 'rows', args: ['lists', {}], extra: 1 })).toEqual(await viaIpc('rows', ['lists', {}], 1));
    expect(messageCount(core)).toBe(before);
  });

  it('gives the same answer to good calls', async () => {
    const { list, viaIpc, viaWs } = await setup();
    expect(await viaWs({ method: 'rows', args: ['lists', {}] })).toEqual(await viaIpc('rows', ['lists', {}]));
    expect(await viaWs({ method: 'rows', args: ['todos', { parent: list.id }] })).toEqual(await viaIpc('rows', ['todos', { parent: list.id }]));
    const created = await viaWs({ method: 'create', args: ['todos', { listId: list.id, title: '  Milk  ' }] });
    expect(created).toMatchObject({ ok: true, value: { title: 'Milk', listId: list.id } });
    expect(await viaWs({ method: 'info', args: [] })).toEqual(await viaIpc('info', []));
    expect(CHANNELS.invoke).toBe('fieldsync:invoke');
  });
});
