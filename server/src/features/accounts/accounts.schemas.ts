import { z } from 'zod';
import { emailSchema, passwordSchema } from '../auth/auth.schemas.js';

/** A mailed token: 32 random bytes, base64url. */
const mailedToken = z.string().min(20).max(200);

export const passwordResetBody = z.object({ email: emailSchema });
export const passwordResetConfirmBody = z.object({ token: mailedToken, password: passwordSchema });
export const verifyEmailBody = z.object({ token: mailedToken });
export const deleteAccountBody = z.object({ password: z.string().min(1).max(1024) });

export const acceptedResponse = z.object({ detail: z.string() });
export const authOptionsResponse = z.object({
  /** Accounts must confirm their email before calling a model. */
  email_verification_required: z.boolean(),
  /** Whether a reset mail can reach anyone (SMTP, or the log outside production). */
  password_reset_available: z.boolean(),
});

export type PasswordResetBody = z.infer<typeof passwordResetBody>;
export type PasswordResetConfirmBody = z.infer<typeof passwordResetConfirmBody>;
export type DeleteAccountBody = z.infer<typeof deleteAccountBody>;
export type AuthOptionsResponse = z.infer<typeof authOptionsResponse>;
