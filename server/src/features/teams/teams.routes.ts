// Teams under /api/teams, with the browser session like every /api route. A team, its members,
// invitations and usage answer 404 to anyone outside it; inside, the role decides (teams.service.ts).
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { currentUser, type Authenticate } from '../auth/authenticate.js';
import {
  acceptBody,
  createdInvitationResponse,
  createTeamBody,
  invitationParams,
  inviteBody,
  memberParams,
  memberResponse,
  renameTeamBody,
  teamDetailResponse,
  teamIdParams,
  teamListResponse,
  teamMonthQuery,
  teamResponse,
  teamUsageResponse,
  toInvitationResponse,
  toMemberResponse,
  toTeamResponse,
  transferBody,
  updateMemberBody,
} from './teams.schemas.js';
import type { TeamsService } from './teams.service.js';

export const teamsRoutes: FastifyPluginAsyncZod<{ teams: TeamsService; authenticate: Authenticate }> = async (app, opts) => {
  const { teams } = opts;
  const tags = ['teams'];
  const security = [{ bearerAuth: [] }];
  app.addHook('onRequest', opts.authenticate);

  const detail = async (userId: string, teamId: string) => {
    const { team, pool, members, invitations } = await teams.get(userId, teamId);
    return { ...toTeamResponse(team), pool, members: members.map(toMemberResponse), invitations: invitations.map(toInvitationResponse) };
  };

  app.get('/', {
    schema: { tags, security, summary: 'The teams you belong to, with your role in each', response: { 200: teamListResponse } },
    handler: async (request) => ({ items: (await teams.listMine(currentUser(request).id)).map(toTeamResponse) }),
  });

  app.post('/', {
    schema: { tags, security, summary: 'Create a team; you are its owner. It starts on the free tier', body: createTeamBody, response: { 201: teamResponse } },
    handler: async (request, reply) => reply.code(201).send(toTeamResponse(await teams.create(currentUser(request), request.body.name))),
  });

  app.post('/join', {
    schema: {
      tags,
      security,
      summary: 'Join a team with the token of an invitation sent to your address',
      body: acceptBody,
      response: { 200: teamResponse },
    },
    handler: async (request) => toTeamResponse(await teams.accept(currentUser(request), request.body.token)),
  });

  app.get('/:id', {
    schema: {
      tags,
      security,
      summary: 'A team you belong to: its members, and its open invitations if you are an admin',
      params: teamIdParams,
      response: { 200: teamDetailResponse },
    },
    handler: async (request) => detail(currentUser(request).id, request.params.id),
  });

  app.patch('/:id', {
    schema: { tags, security, summary: 'Rename a team (admins)', params: teamIdParams, body: renameTeamBody, response: { 200: teamDetailResponse } },
    handler: async (request) => {
      const userId = currentUser(request).id;
      await teams.rename(userId, request.params.id, request.body.name);
      return detail(userId, request.params.id);
    },
  });

  app.delete('/:id', {
    schema: {
      tags,
      security,
      summary: "Delete the team (the owner): members, invitations and the team's keys go; its usage records stay for the operator",
      params: teamIdParams,
      response: { 204: z.null() },
    },
    handler: async (request, reply) => {
      await teams.remove(currentUser(request).id, request.params.id);
      return reply.code(204).send(null);
    },
  });

  app.get('/:id/usage', {
    schema: {
      tags,
      security,
      summary: "The team's month (?month=YYYY-MM): the pool, and by member and by model for admins; your own use for members",
      params: teamIdParams,
      querystring: teamMonthQuery,
      response: { 200: teamUsageResponse },
    },
    handler: async (request) => teams.usage(currentUser(request).id, request.params.id, request.query.month),
  });

  app.post('/:id/invitations', {
    schema: {
      tags,
      security,
      summary: 'Invite an address (admins): the signed link is mailed, or answered here when mail is not set up',
      params: teamIdParams,
      body: inviteBody,
      response: { 201: createdInvitationResponse },
    },
    handler: async (request, reply) => {
      const { invitation, link, mailed } = await teams.invite(currentUser(request), request.params.id, request.body);
      return reply.code(201).send({ ...toInvitationResponse(invitation), link, mailed });
    },
  });

  app.delete('/:id/invitations/:invitation_id', {
    schema: { tags, security, summary: 'Withdraw an open invitation (admins)', params: invitationParams, response: { 204: z.null() } },
    handler: async (request, reply) => {
      await teams.revokeInvitation(currentUser(request).id, request.params.id, request.params.invitation_id);
      return reply.code(204).send(null);
    },
  });

  app.patch('/:id/members/:member_id', {
    schema: {
      tags,
      security,
      summary: "Set a member's monthly cap inside the pool (admins; null removes it), or their role (the owner)",
      params: memberParams,
      body: updateMemberBody,
      response: { 200: memberResponse },
    },
    handler: async (request) => {
      const { id, member_id } = request.params;
      const changed = await teams.updateMember(currentUser(request).id, id, member_id, request.body);
      const { members } = await teams.get(currentUser(request).id, id);
      return toMemberResponse(members.find((m) => m.user_id === changed.user_id)!);
    },
  });

  app.delete('/:id/members/:member_id', {
    schema: {
      tags,
      security,
      summary: 'Leave the team (your own id), or remove a member (admins; the owner removes admins too)',
      params: memberParams,
      response: { 204: z.null() },
    },
    handler: async (request, reply) => {
      await teams.removeMember(currentUser(request).id, request.params.id, request.params.member_id);
      return reply.code(204).send(null);
    },
  });

  app.post('/:id/transfer', {
    schema: {
      tags,
      security,
      summary: 'Hand the team over to another member (the owner); you stay on as an admin',
      params: teamIdParams,
      body: transferBody,
      response: { 200: teamDetailResponse },
    },
    handler: async (request) => {
      const userId = currentUser(request).id;
      await teams.transfer(userId, request.params.id, request.body.member_id);
      return detail(userId, request.params.id);
    },
  });
};
