// Prometheus metrics at /metrics: HTTP latency by route, and the metering events an operator
// watches (tokens recorded per model and outcome, refusals by reason). One registry per app, so
// tests that build many apps do not share counters.
import type { FastifyInstance } from 'fastify';
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';
import { AppError } from '../../lib/errors.js';
import { safeEqual } from '../../lib/safe-equal.js';

export interface UsageMetrics {
  recorded(model: string, outcome: string, source: string, tokens: number): void;
  refused(code: string): void;
  /** A call used more than it reserved: the prompt margin was too small for this model. */
  overrun(model: string): void;
}

export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const httpDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request duration by method, route and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 30, 120],
    registers: [registry],
  });
  const tokens = new Counter({
    name: 'usage_tokens_recorded_total',
    help: 'Tokens recorded in usage_records, by model, outcome and source',
    labelNames: ['model', 'outcome', 'source'] as const,
    registers: [registry],
  });
  const calls = new Counter({
    name: 'usage_model_calls_total',
    help: 'Model calls settled, by model and outcome',
    labelNames: ['model', 'outcome'] as const,
    registers: [registry],
  });
  const refusals = new Counter({
    name: 'usage_refusals_total',
    help: 'Model calls refused before the upstream call, by code',
    labelNames: ['code'] as const,
    registers: [registry],
  });

  const overruns = new Counter({
    name: 'usage_reservation_overruns_total',
    help: 'Calls whose real usage exceeded their reservation (prompt margin too small), by model',
    labelNames: ['model'] as const,
    registers: [registry],
  });

  const usage: UsageMetrics = {
    recorded(model, outcome, source, n) {
      tokens.inc({ model, outcome, source }, n);
      calls.inc({ model, outcome });
    },
    refused(code) {
      refusals.inc({ code });
    },
    overrun(model) {
      overruns.inc({ model });
    },
  };

  /**
   * With a token, scrapers must send it. Without one the metrics are open outside production
   * (a laptop, a test) and closed in production: they name routes, models and volumes, which is
   * not for anyone who finds the port.
   */
  function register(app: FastifyInstance, { token, production }: { token: string | undefined; production: boolean }) {
    app.addHook('onResponse', async (request, reply) => {
      const route = request.routeOptions.url ?? 'unmatched';
      httpDuration.observe({ method: request.method, route, status: String(reply.statusCode) }, reply.elapsedTime / 1000);
    });
    app.get('/metrics', { schema: { hide: true } }, async (request, reply) => {
      // With METRICS_TOKEN set, scrapers must send it as a bearer token; compared in constant time,
      // so that response times do not reveal how much of a guess was right.
      if (token && !safeEqual(request.headers.authorization ?? '', `Bearer ${token}`)) {
        throw new AppError('UNAUTHENTICATED', 'Send the metrics token as "Authorization: Bearer <METRICS_TOKEN>".');
      }
      if (!token && production) {
        throw new AppError('UNAUTHENTICATED', 'Metrics are closed in production until the operator sets METRICS_TOKEN; then send it as a bearer token.');
      }
      return reply.type(registry.contentType).send(await registry.metrics());
    });
  }

  return { registry, usage, register };
}
