/** What the page and the launchers say about the server's address (server-url.ts; audit D, S1 and S2). */
import { describe, expect, it } from 'vitest';
import { call, useCores } from '../../../../test-support/core-fixture.ts';
import { cleartextTokenWarning, serverUrlError, shownServerUrl } from '../server-url.ts';

const cores = useCores();

describe('the server address', () => {
  it('reaches the page without credentials, query or fragment', async () => {
    expect(shownServerUrl('https://alice:s3cret@sync.example.com:8443/fieldsync/?token=x#y')).toBe('https://sync.example.com:8443/fieldsync/');
    expect(shownServerUrl('http://127.0.0.1:8787/')).toBe('http://127.0.0.1:8787');
    expect(shownServerUrl(null)).toBe('');
    const core = await cores.open({ serverUrl: 'https://sync.example.com/fieldsync/', token: 't', sync: { autoSync: false } });
    const info = await call<{ serverUrl: string; serverWarning: string | null }>(core, 'info');
    expect(info).toMatchObject({ serverUrl: 'https://sync.example.com/fieldsync/', serverWarning: null });
  });

  // Taken, an address with a password opened an app whose every sync failed as if offline
  // (fetch refuses such a URL), and a query swallowed the /v1/sync the remote appends.
  it('says at once why an address cannot be used, without saying its password', async () => {
    expect(serverUrlError('https://sync.example.com/fieldsync/')).toBeNull();
    expect(serverUrlError('http://127.0.0.1:8787')).toBeNull();
    expect(serverUrlError('https://alice:s3cret@sync.example.com')).toBe('must have no user name or password: the app signs in with its token (FIELDSYNC_TOKEN)');
    expect(serverUrlError('https://alice@sync.example.com')).toMatch(/^must have no user name or password/);
    expect(serverUrlError('https://sync.example.com/?token=x')).toBe('must have no query or fragment');
    expect(serverUrlError('https://sync.example.com#x')).toBe('must have no query or fragment');
    expect(serverUrlError('https://sync.example.com?')).toBe('must have no query or fragment');
    expect(serverUrlError('ftp://sync.example.com')).toBe('must be an http:// or https:// URL');
    expect(serverUrlError('sync.example.com')).toBe('is not a URL');
    // The core itself (a fork that skips the launchers' check) refuses it with the library's typed error.
    const opening = cores.open({ serverUrl: 'https://alice:s3cret@sync.example.com', token: 't', sync: { autoSync: false } });
    await expect(opening).rejects.toMatchObject({ name: 'ValidationError', message: expect.stringMatching(/no user name or password/) as unknown });
    await expect(opening).rejects.not.toThrow(/s3cret/);
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
