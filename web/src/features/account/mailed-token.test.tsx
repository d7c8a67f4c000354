import { render, screen } from '@testing-library/react';
import { Suspense } from 'react';
import { describe, expect, it } from 'vitest';
import { useMailedToken } from './mailed-token';

describe('the token of a mailed link', () => {
  it('survives a render that React throws away, and leaves the address bar once the page is shown', async () => {
    window.history.replaceState(null, '', '/verify-email#token=abc');
    // The first render suspends (as a page whose code or data is still loading does): React
    // discards it, state and all, and renders the page afresh once the promise settles.
    let ready = false;
    const loading = new Promise<void>((resolve) => setTimeout(() => ((ready = true), resolve()), 10));
    function Page() {
      const token = useMailedToken();
      // Suspense's own protocol (what lazy() does): a thrown promise suspends the render.
      // eslint-disable-next-line @typescript-eslint/only-throw-error
      if (!ready) throw loading;
      return <p>token: {token ?? 'none'}</p>;
    }
    render(
      <Suspense fallback={<p>loading</p>}>
        <Page />
      </Suspense>,
    );
    expect(await screen.findByText('token: abc')).toBeTruthy();
    expect(window.location.hash).toBe('');
    expect(window.location.pathname).toBe('/verify-email');
  });
});
