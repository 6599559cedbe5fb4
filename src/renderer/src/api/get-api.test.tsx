import { render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { AppApi } from '../../../shared/app-api.ts';
import { App } from '../App.tsx';
import '../testing/render-app.tsx';

/** Only its identity matters here. */
const anApi = () => ({}) as AppApi;
import { getApi, setApiFactory } from './get-api.ts';

afterEach(() => {
  setApiFactory(null);
  delete (window as { fieldsync?: unknown }).fieldsync;
});

describe('getApi', () => {
  it('prefers the API the Electron preload exposes', () => {
    const preload = anApi();
    Object.defineProperty(window, 'fieldsync', { value: preload, configurable: true });
    setApiFactory(() => anApi());
    expect(getApi()).toBe(preload);
  });

  it('falls back to the factory another host registered', () => {
    const bridged = anApi();
    setApiFactory(() => bridged);
    expect(getApi()).toBe(bridged);
  });

  it('returns null without either, and the app says it is not connected', () => {
    expect(getApi()).toBeNull();
    render(<App api={getApi()} />);
    expect(screen.getByRole('main', { name: 'Not connected' }).textContent).toContain('no connection');
    expect(screen.queryByRole('textbox')).toBeNull();
  });

  it('says it is not connected as the page it is, not as an alert: its heading takes the focus, and no live region repeats it', () => {
    render(<App api={null} />);
    // A steady state, not news: an alert is read out again whenever a screen reader meets it
    // (and at once, over whatever it was saying). The page's heading, focused, is read once.
    const heading = screen.getByRole('heading', { level: 1, name: 'Not connected' });
    expect(document.activeElement).toBe(heading);
    expect(screen.queryAllByRole('alert')).toEqual([]);
    expect(screen.queryAllByRole('status')).toEqual([]);
    expect(document.querySelectorAll('[aria-live]')).toHaveLength(0);
  });
});
