/**
 * The one-screen viewer's page, script and stylesheet: every instance side by side, each in
 * its own frame.
 *
 * - Opened with the viewer's one-time link, the page carries a fresh one-time sign-in link of
 *   each instance (`data-sign-in`), and VIEWER_JS sends each frame there, drops the links
 *   from the page and puts `/` in the address bar: a reload shows the plain page.
 * - The plain page (`/`) frames the instances' plain addresses, which sign in with the
 *   sessions those frames stored the first time (each instance's own origin's storage). It
 *   holds no secret, and is served to anyone.
 */
import { APP_NAME_HTML as APP_NAME, escapeHtml } from '../html-text.ts';

export interface ViewerInstance {
  /** Its profile, such as `web-1`. */
  readonly name: string;
  /** Its origin, `http://127.0.0.1:PORT`. */
  readonly origin: string;
}


/** `signIn[i]`: a fresh one-time sign-in link of instance i, or null for its plain address. */
export function viewerHtml(instances: readonly ViewerInstance[], signIn: readonly (string | null)[] = []): string {
  const n = instances.length;
  const frames = instances
    .map((instance, i) => {
      const name = escapeHtml(instance.name);
      const link = signIn[i] ?? null;
      const source = link === null ? `src="${escapeHtml(instance.origin)}/"` : `data-sign-in="${escapeHtml(link)}"`;
      return `    <section class="instance" aria-labelledby="instance-${i + 1}">
      <h2 id="instance-${i + 1}"><span class="dot" aria-hidden="true"></span>${name}</h2>
      <a class="own" href="${escapeHtml(instance.origin)}/" target="_blank" rel="noopener noreferrer">Open ${name} on its own</a>
      <iframe ${source} title="${APP_NAME} instance ${name}"></iframe>
    </section>`;
    })
    .join('\n');
  return `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8" />
  <meta name="viewport" content="width=device-width, initial-scale=1" />
  <title>${APP_NAME} — ${n} instance${n === 1 ? '' : 's'} side by side</title>
  <!-- An empty icon, as the app's page has: the browser asks for no /favicon.ico, whose 404 would be a console error. -->
  <link rel="icon" href="data:," />
  <link rel="stylesheet" href="/viewer.css" />
  <script src="/viewer.js" defer></script>
</head>
<body>
  <header class="bar">
    <span class="brand"><span class="brand-mark" aria-hidden="true"></span>${APP_NAME}</span>
    <h1>${n} instance${n === 1 ? '' : 's'} of one user, side by side</h1>
    <p>Each frame is its own app with its own database. Edit in one and watch the others follow; use an instance's <strong>Work offline</strong> switch or its <strong>Network</strong> control to make conflicts and watch them resolve.</p>
  </header>
  <main class="grid cols-${Math.min(n, 4)}">
${frames}
  </main>
</body>
</html>
`;
}

/**
 * The viewer's only script (CSP `script-src 'self'`): each frame that has a sign-in link goes
 * there (the link leaves the page), and the viewer's own one-time link leaves the address bar.
 */
export const VIEWER_JS = `'use strict';
for (const frame of document.querySelectorAll('iframe[data-sign-in]')) {
  const link = frame.getAttribute('data-sign-in');
  frame.removeAttribute('data-sign-in');
  if (frame.contentWindow && /^http:\\/\\/127\\.0\\.0\\.1:\\d+\\/login\\?code=[\\w-]+$/.test(link)) frame.contentWindow.location.replace(link);
}
if (location.pathname !== '/') history.replaceState(null, '', '/');
`;

/** The same design tokens as the app (src/renderer/src/styles/tokens.css), light and dark. */
export const VIEWER_CSS = `:root { color-scheme: light dark; --bg: #f5f6f8; --surface: #fff; --border: #e1e4ea; --text: #1a1d23; --muted: #586170; --accent: #4b44d6; --ok: #17793a;
  --font: system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif; }
@media (prefers-color-scheme: dark) { :root { --bg: #0e1014; --surface: #161920; --border: #272c36; --text: #e7e9ee; --muted: #9ca5b4; --accent: #8c88ff; --ok: #52c477; } }
* { box-sizing: border-box; }
html, body { height: 100%; margin: 0; }
body { display: flex; flex-direction: column; background: var(--bg); color: var(--text); font: 14px/1.45 var(--font); }
.bar { display: flex; flex-wrap: wrap; align-items: baseline; gap: 4px 16px; padding: 10px 16px; border-bottom: 1px solid var(--border); background: var(--surface); }
.brand { display: inline-flex; align-items: center; gap: 8px; font-weight: 700; }
.brand-mark { width: 18px; height: 18px; border-radius: 5px; background: linear-gradient(135deg, var(--accent), #1fb89a); }
h1 { margin: 0; font-size: 15px; font-weight: 600; }
.bar p { flex: 1 1 420px; margin: 0; color: var(--muted); font-size: 12.5px; }
.grid { flex: 1 1 auto; display: grid; gap: 10px; padding: 10px; min-height: 0; grid-auto-rows: minmax(420px, 1fr); }
.cols-1 { grid-template-columns: 1fr; } .cols-2 { grid-template-columns: repeat(2, 1fr); }
.cols-3 { grid-template-columns: repeat(3, 1fr); } .cols-4 { grid-template-columns: repeat(4, 1fr); }
@media (max-width: 900px) { .grid { grid-template-columns: 1fr; grid-auto-rows: 80vh; } }
.instance { display: grid; grid-template-rows: auto 1fr; grid-template-columns: 1fr auto; min-width: 0; min-height: 0; border: 1px solid var(--border); border-radius: 8px; overflow: hidden; background: var(--surface); }
.instance h2 { display: flex; align-items: center; gap: 6px; margin: 0; padding: 6px 10px; font-size: 13px; }
.dot { width: 8px; height: 8px; border-radius: 50%; background: var(--ok); }
.own { align-self: center; padding: 0 10px; color: var(--accent); font-size: 12px; }
.own:focus-visible, iframe:focus-visible { outline: 2px solid var(--accent); outline-offset: -2px; }
iframe { grid-column: 1 / -1; width: 100%; height: 100%; border: 0; border-top: 1px solid var(--border); background: var(--bg); }
`;
