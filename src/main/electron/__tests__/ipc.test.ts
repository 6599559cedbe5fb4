/**
 * The IPC binding with a fake `ipcMain` in front of a real app core: a call from the wrong
 * sender or with bad arguments is refused, and the database shows that nothing was written.
 */
import { describe, expect, it } from 'vitest';
import { CHANNELS, type AppEvent, type Envelope } from '../../../shared/app-api.ts';
import { call, messageCount, useCores } from '../../../../test-support/core-fixture.ts';
import { listsSchema } from '../../../../test-support/lists-schema.ts';
import { bindIpc, createSenderCheck, FORBIDDEN, forwardEvents, type IpcEventLike, type IpcMainLike } from '../ipc.ts';
import { rendererLocation } from '../renderer-location.ts';

const PAGE = 'app://fieldsync/index.html';
const WINDOW_ID = 7;

function fakeIpcMain() {
  const handlers = new Map<string, (event: IpcEventLike, ...args: unknown[]) => Promise<Envelope>>();
  const ipc: IpcMainLike = {
    handle: (channel, listener) => void handlers.set(channel, listener),
    removeHandler: (channel) => void handlers.delete(channel),
  };
  const invoke = (event: IpcEventLike, ...args: unknown[]): Promise<Envelope> => {
    const h = handlers.get(CHANNELS.invoke);
    if (!h) throw new Error('no handler');
    return h(event, ...args);
  };
  return { ipc, invoke, handlers };
}

const mainFrame = (url = PAGE, senderId = WINDOW_ID): IpcEventLike => ({ sender: { id: senderId }, senderFrame: { url, parent: null } });

const cores = useCores();

async function setup() {
  const core = await cores.open({ schema: listsSchema });
  const fake = fakeIpcMain();
  const log: string[] = [];
  const isTrusted = createSenderCheck(() => WINDOW_ID, rendererLocation(undefined, true));
  const unbind = bindIpc(fake.ipc, core.dispatch, isTrusted, (m) => log.push(m));
  const written = () => [messageCount(core), core.db.prepare('SELECT count(*) FROM lists').pluck().get()];
  return { core, fake, log, unbind, written };
}

describe('IPC binding', () => {
  it('serves our window’s main frame', async () => {
    const { fake } = await setup();
    const created = await fake.invoke(mainFrame(), 'create', ['lists', { name: 'Home' }]);
    expect(created).toMatchObject({ ok: true, value: { name: 'Home' } });
    const lists = await fake.invoke(mainFrame(`${PAGE}#/lists`), 'rows', ['lists', {}]);
    expect(lists).toMatchObject({ ok: true, value: [{ name: 'Home' }] });
  });

  it.each([
    ['another web contents', mainFrame(PAGE, 99)],
    ['a subframe of our window', { sender: { id: WINDOW_ID }, senderFrame: { url: PAGE, parent: {} } }],
    ['our window after navigating elsewhere', mainFrame('https://evil.example/')],
    ['another file on disk', mainFrame('file:///tmp/evil.html')],
    ['our page from disk instead of app://', mainFrame('file:///opt/Fieldsync/resources/app.asar/out/renderer/index.html')],
    ['another page of our scheme', mainFrame('app://fieldsync/other.html')],
    ['another host of our scheme', mainFrame('app://evil/index.html')],
    ['a destroyed frame', { sender: { id: WINDOW_ID }, senderFrame: null }],
  ] as [string, IpcEventLike][])('refuses %s with forbidden, and writes nothing', async (_name, event) => {
    const { fake, log, written } = await setup();
    const before = written();
    expect(await fake.invoke(event, 'create', ['lists', { name: 'Pwned' }])).toEqual(FORBIDDEN);
    expect(await fake.invoke(event, 'rows', ['lists', {}])).toEqual(FORBIDDEN);
    expect(written()).toEqual(before);
    expect(log[0]).toMatch(/^refused an API call from /);
  });

  it('refuses when our window is gone', async () => {
    const core = await cores.open({ schema: listsSchema });
    const fake = fakeIpcMain();
    bindIpc(fake.ipc, core.dispatch, createSenderCheck(() => null, rendererLocation(undefined, true)));
    expect(await fake.invoke(mainFrame(), 'rows', ['lists', {}])).toEqual(FORBIDDEN);
  });

  it.each([
    ['an unknown method', ['deleteEverything', []]],
    ['a method that is not a string', [{ toString: () => 'rows' }, ['lists', {}]]],
    ['arguments that are not an array', ['create', 'lists']],
    ['no arguments at all', ['create']],
    ['an extra IPC argument', ['create', ['lists', { name: 'Home' }], 'extra']],
    ['a wrong type', ['create', ['lists', { name: 42 }]]],
    ['an empty name', ['create', ['lists', { name: '' }]]],
    ['a 10,000-character name', ['create', ['lists', { name: 'x'.repeat(10_000) }]]],
    ['a control character', ['create', ['lists', { name: 'a\u0007b' }]]],
  ] as [string, unknown[]][])('refuses %s with invalid_argument, and writes nothing', async (_name, args) => {
    const { fake, written } = await setup();
    const before = written();
    const envelope = await fake.invoke(mainFrame(), ...args);
    expect(envelope).toMatchObject({ ok: false, error: { code: 'invalid_argument' } });
    expect(written()).toEqual(before);
  });

  it('refuses an unknown id with not_found, and writes nothing', async () => {
    const { fake, written } = await setup();
    const before = written();
    expect(await fake.invoke(mainFrame(), 'update', ['lists', 'nope', { name: 'x' }])).toMatchObject({ ok: false, error: { code: 'not_found' } });
    expect(written()).toEqual(before);
  });

  it('unbinds', async () => {
    const { fake, unbind } = await setup();
    unbind();
    expect(fake.handlers.size).toBe(0);
  });

  it('forwards the core’s events to the window until it is destroyed', async () => {
    const { core } = await setup();
    const sent: unknown[][] = [];
    let destroyed = false;
    const stop = forwardEvents(core.onEvent, { isDestroyed: () => destroyed, send: (...args) => void sent.push(args) });
    const list = await call<{ id: string }>(core, 'create', 'lists', { name: 'L' });
    expect(sent).toContainEqual([CHANNELS.event, { type: 'data', source: 'local', tables: ['lists'], rows: { lists: [list.id] } } satisfies AppEvent]);
    destroyed = true;
    const count = sent.length;
    await call(core, 'create', 'lists', { name: 'M' });
    expect(sent).toHaveLength(count);
    stop();
  });
});
