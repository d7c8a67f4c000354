// The pages reached from mail or before signing in, shown whoever is signed in; loaded on demand.
// A team's invitation page sends a signed-out visitor to log in itself, keeping the token out of the URL.
import { lazy, type ComponentType } from 'react';

export const OPEN_PAGES: Partial<Record<string, ComponentType>> = {
  '/forgot-password': lazy(() => import('./forgot-password-page').then((m) => ({ default: m.ForgotPasswordPage }))),
  '/reset-password': lazy(() => import('./reset-password-page').then((m) => ({ default: m.ResetPasswordPage }))),
  '/verify-email': lazy(() => import('./verify-email-page').then((m) => ({ default: m.VerifyEmailPage }))),
  '/teams/join': lazy(() => import('../teams/join-team-page').then((m) => ({ default: m.JoinTeamPage }))),
};
