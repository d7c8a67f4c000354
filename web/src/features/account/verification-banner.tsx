// Shown on every page while the account must, and has not yet, confirmed its email: it can use the
// app but not chat until it does.
import { ErrorNote } from '../../components/error-note';
import { useSession } from '../../lib/app-context';
import { useAuthOptions, useResendVerification } from './account-api';

export function VerificationBanner() {
  const { user } = useSession();
  const options = useAuthOptions();
  const resend = useResendVerification();
  if (!user || user.email_verified || !options.data?.email_verification_required) return null;
  return (
    <div className="notice verification-banner" role="status">
      <p>
        Confirm your email to start chatting: open the link we sent to <strong>{user.email}</strong>.
      </p>
      {resend.isSuccess ? (
        <p>A new link is on its way.</p>
      ) : (
        <button type="button" className="button small" onClick={() => resend.mutate()} disabled={resend.isPending}>
          Send the link again
        </button>
      )}
      <ErrorNote error={resend.error} />
    </div>
  );
}
