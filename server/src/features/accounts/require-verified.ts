// With REQUIRE_EMAIL_VERIFICATION, an account that has not confirmed its address can sign in and
// use the app, but not call a model: this guard wraps the chat route's and /v1's authentication.
import type { Authenticate } from '../../lib/bearer.js';
import { AppError } from '../../lib/errors.js';

export function createRequireVerifiedEmail(authenticate: Authenticate, required: boolean): Authenticate {
  if (!required) return authenticate;
  return async (request, reply) => {
    await authenticate(request, reply);
    if (request.user && request.user.email_verified_at === null) {
      throw new AppError('EMAIL_NOT_VERIFIED', 'Confirm your email address to chat: open the link we mailed you, or ask for a new one.');
    }
  };
}
