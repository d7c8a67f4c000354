// One request of a sweep: an operation, a credential, the value of each id slot, a body.
import type { InjectOptions } from 'fastify';
import { bodiesWithIds, simpleBodies, type BodyContext } from './bodies.js';
import { isIdField, type IdSlot } from './ids.js';
import { urlOf, type HttpMethod, type Operation } from './operations.js';

/** Stands for an id field's value in a body made before the sweep chooses whose id it holds. */
export const idPlaceholder = (field: string) => `<${field}>`;

export interface SweepRequest {
  method?: HttpMethod;
  authorization?: string;
  /** The value of each slot, by slot name; body slots absent from the body are left out. */
  ids: Record<string, string>;
  body?: Record<string, unknown> | unknown[];
}

export function injectOptions(op: Operation, slots: IdSlot[], request: SweepRequest): InjectOptions {
  const pathValues = Object.fromEntries(slots.filter((s) => s.in === 'path').map((s) => [s.name, request.ids[s.name]!]));
  let payload = request.body;
  if (payload && !Array.isArray(payload)) {
    payload = Object.fromEntries(Object.entries(payload).map(([k, v]) => [k, v === idPlaceholder(k) ? request.ids[k] : v]));
  }
  return {
    method: request.method ?? op.method,
    url: urlOf(op, pathValues),
    headers: request.authorization ? { authorization: request.authorization } : {},
    ...(payload !== undefined ? { payload } : {}),
  };
}

export const bearer = (token: string) => `Bearer ${token}`;

/** The context bodies are made in for `user`: its email and password, placeholders for ids. */
export function bodyContext(user: { email: string; password: string }, known?: Record<string, unknown>): BodyContext {
  return { email: user.email, password: user.password, idFor: idPlaceholder, isIdField, known };
}

/** Candidate bodies of an operation (simpleBodies), the last the one of required and hinted fields. */
export function bodiesFor(op: Operation, user: { email: string; password: string }, known?: Record<string, unknown>): Record<string, unknown>[] {
  return op.jsonBody ? simpleBodies(op.jsonBody, bodyContext(user, known)) : [];
}

/** Candidate bodies that carry the given id fields (bodiesWithIds). */
export function idBodiesFor(op: Operation, user: { email: string; password: string }, idFields: string[]): Record<string, unknown>[] {
  return op.jsonBody ? bodiesWithIds(op.jsonBody, bodyContext(user), idFields) : [];
}
