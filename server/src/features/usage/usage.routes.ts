import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { currentUser, type Authenticate } from '../auth/authenticate.js';
import type { UsageReportService } from './usage-report.service.js';
import { capBody, monthQuery, usageResponse } from './usage.schemas.js';

export const usageRoutes: FastifyPluginAsyncZod<{ reports: UsageReportService; authenticate: Authenticate }> = async (app, opts) => {
  const { reports, authenticate } = opts;
  const security = [{ bearerAuth: [] }];

  app.get('/api/usage', {
    onRequest: authenticate,
    schema: {
      tags: ['usage'],
      summary: "This month's (or ?month=YYYY-MM) usage against the limit",
      security,
      querystring: monthQuery,
      response: { 200: usageResponse },
    },
    handler: async (request) => reports.report(currentUser(request), request.query.month),
  });

  app.put('/api/usage/cap', {
    onRequest: authenticate,
    schema: { tags: ['usage'], summary: 'Set (or clear with null) your own monthly token cap', security, body: capBody, response: { 200: usageResponse } },
    handler: async (request) => {
      const user = currentUser(request);
      await reports.setCap(user.id, request.body.monthly_token_cap);
      return reports.report({ ...user, monthly_token_cap: request.body.monthly_token_cap });
    },
  });
};
