/**
 * What every renderer test runs first (vitest.config.ts): jsdom's sizes for the windowed list
 * (jsdom-layout.ts), and how long a test waits for what it expects on screen.
 *
 * 5 s, not testing-library's 1 s: what a test waits for is a round trip through the real app
 * core (a write, a sync with another device, the rows read back) and a render, and on a busy
 * 2-core machine that took over a second (replaced-notices.test.tsx, 3 times in 16 runs at a
 * load average of 11-14). A wait that succeeds returns as soon as it does; only a failing
 * test takes longer to say so.
 */
import { configure } from '@testing-library/react';
import './jsdom-layout.ts';

configure({ asyncUtilTimeout: 5000 });
