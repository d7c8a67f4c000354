import { z } from 'zod';

// Any characters, never truncated: argon2id reads the whole password (OWASP: 8..128 or more).
export const passwordSchema = z.string().min(8, 'Use at least 8 characters.').max(128, 'Use at most 128 characters.');

export const emailSchema = z.string().trim().max(254, 'That email is too long.').pipe(z.email('Enter a valid email address.'));

export const registerBody = z.object({ email: emailSchema, password: passwordSchema });
export type RegisterBody = z.infer<typeof registerBody>;

/** JSON {email, password} or the OAuth2 password form {username, password}. */
export const loginBody = z
  .object({
    email: z.string().max(254).optional(),
    username: z.string().max(254).optional(),
    password: z.string().min(1).max(1024),
    grant_type: z.string().optional(),
  })
  .refine((b) => Boolean(b.email ?? b.username), { message: 'Send email (or username) and password.', path: ['email'] });
export type LoginBody = z.infer<typeof loginBody>;

export const tokenResponse = z.object({
  access_token: z.string(),
  token_type: z.literal('bearer'),
  expires_in: z.number().int(),
});

export const changePasswordBody = z.object({ current_password: z.string().min(1).max(1024), new_password: passwordSchema });
export type TokenResponse = z.infer<typeof tokenResponse>;
export type ChangePasswordBody = z.infer<typeof changePasswordBody>;
