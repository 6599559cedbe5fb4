import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App.tsx';
import { getApi } from './api/get-api.ts';
import './styles/tokens.css';
import './styles/base.css';
import './styles/layout.css';
import './styles/rows.css';
import './styles/todos.css';
import './styles/sync.css';
import './styles/inspector.css';
import './styles/toasts.css';

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element.');
createRoot(root).render(
  <StrictMode>
    <App api={getApi()} />
  </StrictMode>,
);
