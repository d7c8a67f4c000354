// The frame of the pages reached from mail or before signing in: the log-in page's card.
import type { ReactNode } from 'react';

export function AccountCard({ title, children, footer }: { title: string; children: ReactNode; footer?: ReactNode }) {
  return (
    <main className="auth-page">
      <section className="card auth-card" aria-labelledby="account-card-title">
        <div className="brand brand-large" aria-hidden="true">
          <span className="brand-mark" /> Quota Chat
        </div>
        <h1 id="account-card-title">{title}</h1>
        {children}
        {footer ? <p className="auth-footer">{footer}</p> : null}
      </section>
    </main>
  );
}
