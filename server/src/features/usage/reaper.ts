// Each process runs the reaper; reservations are taken one row at a time in transactions, so
// several reapers at once settle each abandoned reservation exactly once.
import type { FastifyBaseLogger } from 'fastify';
import type { UsageService } from './usage.service.js';

export function startReservationReaper(usage: UsageService, intervalMs: number, log: FastifyBaseLogger): () => void {
  let running = false;
  const tick = async () => {
    if (running) return;
    running = true;
    try {
      const reaped = await usage.reapExpired();
      if (reaped) log.warn({ reaped }, 'settled reservations abandoned by a stopped process');
    } catch (err) {
      log.error({ err }, 'reservation reaper failed');
    } finally {
      running = false;
    }
  };
  const timer = setInterval(() => void tick(), intervalMs);
  timer.unref();
  void tick();
  return () => clearInterval(timer);
}
