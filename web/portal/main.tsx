import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App.tsx';

/** The owner portal (对客端), served at /portal/: plain React and the styles in index.html, no UI library. */
const root = document.getElementById('root');
if (!root) throw new Error('#root missing in portal/index.html');

createRoot(root).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
