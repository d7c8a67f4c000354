// Each process runs the reaper; reservations are taken one row at a time in transactions, so
// several reapers at once settle each abandoned reservation exactly once.
import type { FastifyBaseLogger } from 'fastify';
import { startPeriodic } from '../../lib/periodic.js';
import type { UsageService } from './usage.service.js';

export function startReservationReaper(usage: UsageService, intervalMs: number, log: FastifyBaseLogger): () => void {
  return startPeriodic(
    intervalMs,
    async () => {
      const reaped = await usage.reapExpired();
      if (reaped) log.warn({ reaped }, 'settled reservations abandoned by a stopped process');
    },
    (err) => log.error({ err }, 'reservation reaper failed'),
  );
}
