// An inline error (role=alert, so screen readers announce it when it appears).
import { errorMessage } from '../lib/problem';

export function ErrorNote({ error, className = '' }: { error: unknown; className?: string }) {
  if (!error) return null;
  return (
    <p className={`error-note ${className}`} role="alert">
      {typeof error === 'string' ? error : errorMessage(error)}
    </p>
  );
}
