// The usage service as the app builds it, on a test's database and clock, for tests that call
// metering directly: the real rate limiter (counters in the same database) and the real user look-up.
import { createUsageService, type UsageServiceDeps } from '../src/features/usage/usage.service.js';
import { createUsersService } from '../src/features/users/users.service.js';
import type { Db } from '../src/platform/db/db.js';
import { createRateLimiter } from '../src/platform/rate-limits/rate-limits.service.js';

export function testUsageService(
  db: Db,
  { tiers, now, pricingOf, ...extra }: Pick<UsageServiceDeps, 'tiers' | 'now' | 'pricingOf'> & Partial<UsageServiceDeps>,
) {
  return createUsageService({
    db,
    tiers,
    now,
    pricingOf,
    reservationTtlMs: 60_000,
    rateLimiter: createRateLimiter(db, now),
    findUser: (id) => createUsersService({ db }).findUser(id),
    ...extra,
  });
}
