import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { currentUser, type Authenticate } from '../auth/authenticate.js';
import { monthQuery } from '../usage/usage.schemas.js';
import { toUserResponse, userResponse } from '../users/users.schemas.js';
import {
  adminTeam,
  adminUsageResponse,
  auditResponse,
  listTeamsQuery,
  listTeamsResponse,
  listUsersQuery,
  listUsersResponse,
  setTeamTierBody,
  teamIdParams,
  updateUserBody,
  userIdParams,
} from './admin.schemas.js';
import type { AdminService } from './admin.service.js';

export const adminRoutes: FastifyPluginAsyncZod<{ admin: AdminService; requireAdmin: Authenticate }> = async (app, opts) => {
  const { admin } = opts;
  const tags = ['admin'];
  const security = [{ bearerAuth: [] }];
  // Every route here needs the admin role: 401 without a session, 403 for other users.
  app.addHook('onRequest', opts.requireAdmin);

  app.get('/users', {
    schema: { tags, security, summary: 'Users with their usage this month', querystring: listUsersQuery, response: { 200: listUsersResponse } },
    handler: async (request) => admin.listUsers(request.query),
  });

  app.patch('/users/:id', {
    schema: {
      tags,
      security,
      summary: "Change a user's tier, active flag or role (audited)",
      params: userIdParams,
      body: updateUserBody,
      response: { 200: userResponse },
    },
    handler: async (request) => toUserResponse(await admin.updateUser(currentUser(request), request.params.id, request.body)),
  });

  app.delete('/users/:id/sessions', {
    schema: { tags, security, summary: 'End every session of a user (audited)', params: userIdParams, response: { 204: z.null() } },
    handler: async (request, reply) => {
      await admin.endSessionsOf(currentUser(request), request.params.id);
      return reply.code(204).send(null);
    },
  });

  app.get('/teams', {
    schema: {
      tags,
      security,
      summary: "Every team with its tier, members and pool's month",
      querystring: listTeamsQuery,
      response: { 200: listTeamsResponse },
    },
    handler: async (request) => admin.listTeams(request.query),
  });

  app.patch('/teams/:id', {
    schema: {
      tags,
      security,
      summary: "Change a team's tier, and so its monthly pool (audited)",
      params: teamIdParams,
      body: setTeamTierBody,
      response: { 200: adminTeam },
    },
    handler: async (request) => admin.setTeamTier(currentUser(request), request.params.id, request.body.tier),
  });

  app.get('/usage', {
    schema: { tags, security, summary: 'Usage totals by tier, model and day', querystring: monthQuery, response: { 200: adminUsageResponse } },
    handler: async (request) => admin.usageTotals(request.query.month),
  });

  app.get('/audit', {
    schema: {
      tags,
      security,
      summary: 'The latest admin changes',
      querystring: z.object({ limit: z.coerce.number().int().min(1).max(500).default(100) }),
      response: { 200: auditResponse },
    },
    handler: async (request) => ({
      items: (await admin.auditLog(request.query.limit)).map((e) => ({ ...e, created_at: new Date(e.created_at).toISOString() })),
    }),
  });
};
