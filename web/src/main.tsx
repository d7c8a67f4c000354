import { QueryClientProvider } from '@tanstack/react-query';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app';
import { ErrorBoundary } from './components/error-boundary';
import { ServicesProvider } from './lib/app-context';
import { createQueryClient } from './lib/query-client';
import { SessionStore } from './lib/session';
import { applyTheme } from './lib/theme';
import './styles/index.css';

applyTheme();
const session = new SessionStore();
const queryClient = createQueryClient();
void session.restore();

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    {/* The last resort, for a failure outside any page (the route guard, the frame). */}
    <ErrorBoundary>
      <ServicesProvider session={session}>
        <QueryClientProvider client={queryClient}>
          <App />
        </QueryClientProvider>
      </ServicesProvider>
    </ErrorBoundary>
  </StrictMode>,
);
