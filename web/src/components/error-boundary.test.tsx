import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { useEffect } from 'react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ErrorBoundary } from './error-boundary';

const failure = { render: false, effect: false };

function Fragile() {
  useEffect(() => {
    if (failure.effect) throw new Error('effect failed');
  });
  if (failure.render) throw new Error('render failed');
  return <p>All well</p>;
}

describe('ErrorBoundary', () => {
  beforeEach(() => {
    vi.spyOn(console, 'error').mockImplementation(() => undefined); // React reports the caught error
  });
  afterEach(() => {
    vi.restoreAllMocks();
    failure.render = false;
    failure.effect = false;
  });

  it('shows a page with a way back instead of a blank screen when rendering fails, and tries again', async () => {
    failure.render = true;
    render(
      <ErrorBoundary>
        <Fragile />
      </ErrorBoundary>,
    );
    expect(screen.getByRole('alert').textContent).toContain('Something went wrong');
    expect(screen.getByRole('link', { name: 'Back to the chat' }).getAttribute('href')).toBe('/');

    failure.render = false;
    await userEvent.setup().click(screen.getByRole('button', { name: 'Try again' }));
    expect(screen.getByText('All well')).toBeTruthy();
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it('catches an effect that throws too', () => {
    failure.effect = true;
    render(
      <ErrorBoundary>
        <Fragile />
      </ErrorBoundary>,
    );
    expect(screen.getByRole('heading', { name: 'Something went wrong' })).toBeTruthy();
  });

  it('starts afresh when its reset key (the route) changes', () => {
    failure.render = true;
    const { rerender } = render(
      <ErrorBoundary resetKey="/broken">
        <Fragile />
      </ErrorBoundary>,
    );
    expect(screen.getByRole('heading', { name: 'Something went wrong' })).toBeTruthy();
    failure.render = false;
    rerender(
      <ErrorBoundary resetKey="/usage">
        <Fragile />
      </ErrorBoundary>,
    );
    expect(screen.getByText('All well')).toBeTruthy();
  });
});
