// The single sign-on service from its settings (config.ts's `sso`), or null when OIDC_ISSUER is unset.
import type { Config } from '../../config.js';
import type { Db } from '../../platform/db/db.js';
import type { AuthService } from '../auth/auth.service.js';
import type { UsersService } from '../users/users.service.js';
import { createOidcClient } from './oidc-client.js';
import { createSsoService, type SsoService } from './sso.service.js';

export function createSsoFor(
  settings: Config['sso'],
  deps: { db: Db; users: UsersService; auth: AuthService; publicUrl: string; production: boolean },
): SsoService | null {
  const { issuer, clientId, clientSecret } = settings;
  if (!issuer || !clientId || !clientSecret) return null;
  const oidc = createOidcClient({
    issuer,
    clientId,
    clientSecret,
    redirectUri: `${deps.publicUrl}/api/sso/callback`,
    allowHttp: !deps.production,
  });
  return createSsoService({
    db: deps.db,
    users: deps.users,
    auth: deps.auth,
    oidc,
    displayName: settings.displayName,
    mapping: { roleClaim: settings.roleClaim, adminValues: settings.adminValues, tierClaim: settings.tierClaim },
    linkExisting: settings.linkExisting,
  });
}
