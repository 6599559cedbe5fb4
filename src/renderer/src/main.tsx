import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import './styles/tokens.css';
import './styles/base.css';
import './styles/layout.css';
import './styles/rows.css';
import './styles/sync.css';
import './styles/inspector.css';
import './styles/inspector-words.css';
import './styles/toasts.css';
import './styles/notices.css';
import './styles/reflow.css';
// After the shared styles: each view imports its own (views/<view>/<view>.css).
import { App } from './App.tsx';
import { installBrowserHostApi } from './api/browser-host.ts';
import { getApi } from './api/get-api.ts';

// In the browser host, the API is a WebSocket bridge; in Electron, the preload's.
installBrowserHostApi();

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element.');
createRoot(root).render(
  <StrictMode>
    <App api={getApi()} />
  </StrictMode>,
);
