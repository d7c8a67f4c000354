// A page that failed to render (or whose effect threw) shows what happened in plain words and a
// way on, instead of leaving a blank screen. React logs the error to the console; the page shows
// no details. `resetKey` (the route) clears the failure when the reader goes elsewhere.
import { Component, type ReactNode } from 'react';

interface ErrorBoundaryProps {
  children: ReactNode;
  resetKey?: string;
}

export class ErrorBoundary extends Component<ErrorBoundaryProps, { failed: boolean }> {
  override state = { failed: false };

  static getDerivedStateFromError(): { failed: boolean } {
    return { failed: true };
  }

  override componentDidUpdate(previous: ErrorBoundaryProps) {
    if (this.state.failed && previous.resetKey !== this.props.resetKey) this.setState({ failed: false });
  }

  override render() {
    if (!this.state.failed) return this.props.children;
    return (
      <main className="page narrow">
        <div role="alert">
          <h1>Something went wrong</h1>
          <p>This page could not be shown. Try again, or go back to the chat; unsent messages are kept.</p>
        </div>
        <p className="row">
          <button type="button" className="button primary" onClick={() => this.setState({ failed: false })}>
            Try again
          </button>
          {/* A full page load: whatever broke starts again from scratch. */}
          <a className="button" href="/">
            Back to the chat
          </a>
        </p>
      </main>
    );
  }
}
