// An invitation link carries a token signed by the server: the invitation's id and expiry, and an
// HMAC-SHA256 of both under a key of the server's own (derived from its secret). The signature makes
// a guessed or altered token worthless before any lookup; the row (team_invitations) still decides
// whether it can be used: not revoked, not accepted already, for this address.
import { createHmac } from 'node:crypto';
import { safeEqual } from '../../lib/safe-equal.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export interface InvitationSigner {
  sign(invitation: { id: string; expiresAt: Date }): string;
  /** The invitation id of a token whose signature holds and whose expiry is after `now`; undefined otherwise. */
  verify(token: string, now: Date): string | undefined;
}

export function createInvitationSigner(key: Buffer): InvitationSigner {
  const mac = (payload: string) => createHmac('sha256', key).update(`team-invitation.${payload}`).digest('base64url');
  return {
    sign({ id, expiresAt }) {
      const payload = `${id}.${Math.floor(expiresAt.getTime() / 1000)}`;
      return `${payload}.${mac(payload)}`;
    },
    verify(token, now) {
      const [id, exp, signature, ...rest] = token.split('.');
      if (!id || !exp || !signature || rest.length > 0 || !UUID.test(id) || !/^\d{1,12}$/.test(exp)) return undefined;
      if (!safeEqual(signature, mac(`${id}.${exp}`))) return undefined;
      if (Number(exp) * 1000 <= now.getTime()) return undefined;
      return id;
    },
  };
}
