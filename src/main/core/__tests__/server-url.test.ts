/** What the page and the launchers say about the server's address (server-url.ts; audit D, S1 and S2). */
import { describe, expect, it } from 'vitest';
import { call, useCores } from '../../../../test-support/core-fixture.ts';
import { cleartextTokenWarning, shownServerUrl } from '../server-url.ts';

const cores = useCores();

describe('the server address', () => {
  it('reaches the page without credentials, query or fragment', async () => {
    expect(shownServerUrl('https://alice:s3cret@sync.example.com:8443/fieldsync/?token=x#y')).toBe('https://sync.example.com:8443/fieldsync/');
    expect(shownServerUrl('http://127.0.0.1:8787/')).toBe('http://127.0.0.1:8787');
    expect(shownServerUrl(null)).toBe('');
    const core = await cores.open({ serverUrl: 'https://alice:s3cret@sync.example.com', token: 't', sync: { autoSync: false } });
    const info = await call<{ serverUrl: string; serverWarning: string | null }>(core, 'info');
    expect(JSON.stringify(info)).not.toMatch(/alice|s3cret/);
    expect(info).toMatchObject({ serverUrl: 'https://sync.example.com', serverWarning: null });
  });

  it('warns when the token would cross the network in cleartext, and only then', async () => {
    expect(cleartextTokenWarning('http://sync.example.com:8787')).toMatch(/^The sync server http:\/\/sync\.example\.com:8787 is reached over plain http: .*Use an https:\/\/ address\.$/);
    expect(cleartextTokenWarning('http://192.168.1.20:8787')).not.toBeNull();
    for (const fine of ['https://sync.example.com', 'http://127.0.0.1:8787', 'http://localhost:8787', 'http://[::1]:8787', null]) {
      expect(cleartextTokenWarning(fine), String(fine)).toBeNull();
    }
    const core = await cores.open({ serverUrl: 'http://sync.example.com', token: 't', sync: { autoSync: false } });
    expect((await call<{ serverWarning: string | null }>(core, 'info')).serverWarning).toMatch(/plain http/);
  });
});
