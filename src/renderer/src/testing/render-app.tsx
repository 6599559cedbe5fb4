/** Renders the whole app over the real app core (testing/core-api.ts), as the component tests use it. */
import { cleanup, getConfig, render } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach } from 'vitest';
import type { AppApi } from '../../../shared/app-api.ts';
import { App } from '../App.tsx';
import { AppShell } from '../shell/AppShell.tsx';
import { StoreProvider } from '../store/StoreProvider.tsx';
import type { AppView } from '../views/app-view.ts';
import { VIEWS } from '../views/registry.ts';
import { openTestApi, type TestApi, type TestApiOptions } from './core-api.ts';

// Vitest runs without globals here, so Testing Library cannot unmount by itself.
afterEach(cleanup);

/**
 * Renders the app over a fresh core (after `seed`, which may write through the core's own
 * sync client, `kit.core.client`, to seed thousands of rows fast), and waits until its first view has loaded:
 * the view's main element (`skipTo.target` of the first entry of views/registry.ts) is there,
 * and every `rows` call the app made has been answered, with nothing new asked since. It
 * knows nothing of any table or view, so it serves a fork's own view as it is. `views`
 * replaces the registry's (testing/first-table-view.tsx: a view any schema has).
 */
export async function renderApp(
  seed: (api: AppApi, kit: TestApi) => Promise<void> = async () => {},
  { views, ...options }: TestApiOptions & { readonly views?: readonly AppView[] } = {},
) {
  const kit = await openTestApi(options);
  await seed(kit.api, kit);
  const user = userEvent.setup();
  // Counts the app's row reads (the test's own calls too, which is harmless: they are awaited).
  const reads = { asked: 0, open: 0 };
  const rows = kit.api.rows;
  (kit.api as { rows: AppApi['rows'] }).rows = async (...args) => {
    reads.asked++;
    reads.open++;
    try {
      return await rows(...args);
    } finally {
      reads.open--;
    }
  };
  const view = render(
    views === undefined ? (
      <App api={kit.api} options={{ refreshDelayMs: 0 }} />
    ) : (
      <StoreProvider api={kit.api} options={{ refreshDelayMs: 0 }}>
        <AppShell views={views} />
      </StoreProvider>
    ),
  );
  await loaded(reads, (views ?? VIEWS)[0]?.skipTo.target);
  return { api: kit.api, kit, user, ...view };
}

async function loaded(reads: { readonly asked: number; readonly open: number }, target: string | undefined): Promise<void> {
  // As waitFor does (React's act() environment off meanwhile, so the app renders as it would),
  // polling on real timeouts, counted rather than timed by the clock: a test may fake Date or
  // setInterval. What a load shows can ask for more (a selected list, then its todos): settled
  // once the reads are answered and a few polls bring no new one.
  await getConfig().asyncWrapper(async () => {
    let seen = -1;
    let quiet = 0;
    for (let poll = 0; ; poll++) {
      const missing = target !== undefined && !document.getElementById(target);
      if (missing || reads.open > 0 || reads.asked !== seen) quiet = 0;
      else if (++quiet >= 3) return;
      seen = reads.asked;
      if (poll > 1000) {
        throw new Error(missing ? `still loading: no element #${target} (the first view's skipTo.target)` : `still loading: ${reads.open} rows call(s) unanswered, ${reads.asked} asked`);
      }
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  });
}

export type { TestApi };
