// The API describes itself: an OpenAPI 3 document generated from the route schemas, and the
// Swagger UI served from this server (no CDN).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../test/test-app.js';

describe('the API documentation', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp('pglite');
  });
  afterAll(() => t.close());

  describe('GET /openapi.json', () => {
    let doc: {
      openapi: string;
      info: { title: string; version: string };
      paths: Record<
        string,
        Record<
          string,
          {
            requestBody?: { content: Record<string, { schema: { properties: Record<string, Record<string, unknown>>; required?: string[] } }> };
            security?: unknown[];
            responses: Record<string, unknown>;
          }
        >
      >;
      components: { securitySchemes: Record<string, unknown> };
    };
    beforeAll(async () => {
      const res = await t.app.inject({ method: 'GET', url: '/openapi.json' });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      doc = res.json();
    });

    it('is an OpenAPI 3 document with the app version', async () => {
      expect(doc.openapi).toMatch(/^3\./);
      expect(doc.info).toMatchObject({ title: 'Quota Chat API', version: expect.stringMatching(/^\d+\.\d+\.\d+/) });
    });

    it('lists the health and auth paths', () => {
      expect(Object.keys(doc.paths)).toEqual(
        expect.arrayContaining([
          '/health',
          '/api/health',
          '/api/auth/register',
          '/api/auth/login',
          '/api/auth/refresh',
          '/api/auth/logout',
          '/api/auth/me',
          '/api/auth/password',
        ]),
      );
      expect(Object.keys(doc.paths['/api/auth/register']!)).toEqual(['post']);
      expect(Object.keys(doc.paths['/health']!)).toEqual(['get']);
      expect(doc.paths['/openapi.json']).toBeUndefined();
    });

    it('gives each route the request schema it validates with', () => {
      const register = doc.paths['/api/auth/register']!.post!.requestBody!.content['application/json']!.schema;
      expect(register.required).toEqual(expect.arrayContaining(['email', 'password']));
      expect(register.properties.password).toMatchObject({ type: 'string', minLength: 8, maxLength: 128 });
      const login = doc.paths['/api/auth/login']!.post!.requestBody!.content['application/json']!.schema;
      expect(Object.keys(login.properties)).toEqual(expect.arrayContaining(['email', 'username', 'password']));
      // Login also documents the OAuth2 password form it accepts.
      const form = doc.paths['/api/auth/login']!.post!.requestBody!.content['application/x-www-form-urlencoded']!.schema;
      expect(Object.keys(form.properties)).toEqual(expect.arrayContaining(['username', 'password']));
      const password = doc.paths['/api/auth/password']!.post!.requestBody!.content['application/json']!.schema;
      expect(password.required).toEqual(expect.arrayContaining(['current_password', 'new_password']));
    });

    it('describes the responses and the bearer scheme', () => {
      expect(Object.keys(doc.paths['/api/auth/register']!.post!.responses)).toContain('201');
      expect(Object.keys(doc.paths['/health']!.get!.responses)).toEqual(expect.arrayContaining(['200', '503']));
      expect(doc.components.securitySchemes.bearerAuth).toMatchObject({ type: 'http', scheme: 'bearer' });
      expect(doc.paths['/api/auth/me']!.get!.security).toEqual([{ bearerAuth: [] }]);
    });
    it('lists the API key routes (session) and the OpenAI-compatible routes (API key)', () => {
      expect(Object.keys(doc.paths['/api/keys']!).sort()).toEqual(['get', 'post']);
      expect(Object.keys(doc.paths['/api/keys/{id}']!).sort()).toEqual(['delete', 'patch']);
      expect(Object.keys(doc.paths['/api/teams/{id}']!).sort()).toEqual(['delete', 'get', 'patch']);
      expect(Object.keys(doc.paths['/api/conversations/{id}/share']!).sort()).toEqual(['delete', 'get', 'put']);
      expect(doc.paths['/api/conversations/{id}/share']!.put!.security).toEqual([{ bearerAuth: [] }]);
      expect(Object.keys(doc.paths['/api/shared/{token}']!)).toEqual(['get']);
      // Anyone with the link reads it: no credential.
      expect(doc.paths['/api/shared/{token}']!.get!.security).toBeUndefined();
      expect(doc.paths['/api/keys']!.post!.security).toEqual([{ bearerAuth: [] }]);
      expect(Object.keys(doc.paths['/api/keys']!.post!.responses)).toContain('201');
      expect(doc.paths['/v1/models']!.get!.security).toEqual([{ apiKey: [] }]);
      const completions = doc.paths['/v1/chat/completions']!.post!;
      expect(completions.security).toEqual([{ apiKey: [] }]);
      const body = completions.requestBody!.content['application/json']!.schema;
      expect(body.required).toEqual(expect.arrayContaining(['model', 'messages']));
      expect(Object.keys(body.properties)).toEqual(expect.arrayContaining(['stream', 'stream_options', 'max_tokens', 'temperature', 'top_p', 'stop']));
      expect(doc.components.securitySchemes.apiKey).toMatchObject({ type: 'http', scheme: 'bearer' });
    });
  });

  describe('GET /docs', () => {
    it('serves the Swagger UI page', async () => {
      const res = await t.app.inject({ method: 'GET', url: '/docs' });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toMatch(/^text\/html/);
      expect(res.body).toContain('<title>Swagger UI</title>');
      expect(res.body).toContain('swagger-ui-bundle.js');
    });

    it('serves its scripts from this server, not a CDN', async () => {
      const res = await t.app.inject({ method: 'GET', url: '/docs/static/swagger-ui-bundle.js' });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toMatch(/javascript/);
    });

    it('points the UI at the generated document', async () => {
      const res = await t.app.inject({ method: 'GET', url: '/docs/json' });
      expect(res.statusCode).toBe(200);
      expect(res.json().paths['/api/auth/login']).toBeDefined();
    });
  });
});
