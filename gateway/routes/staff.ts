import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import { IdParam } from '../../schemas/common.js';
import { SessionsRevoked, Staff, StaffInput, StaffPatch } from '../../schemas/staff.js';
import { changeStaff, createStaff, revokeStaffSessions } from '../../services/staff.js';
import type { Hub } from '../../services/hub.js';
import type { AppEnv } from '../context.js';
import { requireRole } from '../roles.js';
import { described, json, problems, whoMayCall } from '../openapi.js';

const tags = ['Staff'];
const createdExample = {
  id: 'stf_Q2mD8pX4vN7rT1bK9sLw3e', organizationId: 'org_Hs7Lm2Qx9Vb4Np6Rt8Yk1c', role: 'partner',
  name: 'Dana Whitfield', email: 'dana.whitfield@eastside-housing.example', oidcSubject: null, disabled: false, createdAt: '2026-03-02T09:15:00.000Z',
};

const { id: _id, createdAt: _at, oidcSubject: _sub, disabled: _disabled, ...inputFields } = createdExample;
const inputExample = { ...inputFields, password: 'correct horse battery staple' };

const createRouteDef = createRoute({
  method: 'post', path: '/v1/staff', tags, operationId: 'createStaff',
  summary: 'Create a staff account for the web console',
  description: described(
    'A person who signs in to the console at `/console` with an e-mail address and password. They act exactly as a client of their organisation and role: ' +
      'a partner’s staff see what consent lets the partner see, every read is recorded as a disclosure, every action audited. ' +
      'The password is stored only as an argon2id hash. After five failed sign-ins in a row the account is locked for 30 seconds, doubling with each further failure (at most an hour).',
    whoMayCall({ admin: 'for any organisation' }, 'An unknown `organizationId`'),
  ),
  request: { body: { required: true, description: 'The person, their organisation and role, and an initial password.', ...json(StaffInput, inputExample) } },
  responses: {
    201: { description: 'Created; the password is never shown back', ...json(Staff, createdExample) },
    ...problems(400, 401, 403, { 404: 'No such organisation (`organizationId`)', 409: 'The e-mail address (`email`), or within the organisation the identity-provider subject (`oidcSubject`), is already in use' }, 413, 415, 429, 503),
  },
});

const patchRoute = createRoute({
  method: 'patch', path: '/v1/staff/{id}', tags, operationId: 'updateStaff',
  summary: 'Record a staff member’s identity-provider subject, or disable the account',
  description: described(
    '`oidcSubject` is the `sub` their organisation’s identity provider gives them, for a provider that matches accounts by subject. ' +
      '`disabled: true` refuses every sign-in (password or identity provider) and ends the account’s live sessions; `false` enables it again. The account stays, for the audit trail. Audited.',
    whoMayCall({ admin: 'any staff member' }, 'An unknown staff member'),
  ),
  request: { params: IdParam, body: { required: true, description: 'The fields to change.', ...json(StaffPatch, { disabled: true }) } },
  responses: {
    200: { description: 'The account as it is now', ...json(Staff, { ...createdExample, disabled: true }) },
    ...problems(400, 401, 403, { 404: 'No such staff member', 409: 'Another account of the organisation has this subject (`oidcSubject`)' }, 413, 415, 429, 503),
  },
});

const revokeRoute = createRoute({
  method: 'delete', path: '/v1/staff/{id}/sessions', tags, operationId: 'revokeStaffSessions',
  summary: 'Sign a staff member out everywhere',
  description: described(
    'Ends every live console session of the staff member at once (a lost laptop, someone leaving); their next page asks them to sign in again.',
    whoMayCall({ admin: 'any staff member' }, 'An unknown staff member'),
  ),
  request: { params: IdParam },
  responses: {
    200: { description: 'The sessions ended', ...json(SessionsRevoked, { revoked: 2 }) },
    ...problems(400, 401, 403, { 404: 'No such staff member' }, 429, 503),
  },
});

export function registerStaffRoutes(app: OpenAPIHono<AppEnv>, hub: Hub) {
  app.openapi(createRouteDef, async (c) => {
    const caller = requireRole(c, 'admin');
    return c.json(await createStaff(hub, caller, c.req.valid('json')), 201);
  });
  app.openapi(patchRoute, async (c) => {
    const caller = requireRole(c, 'admin');
    return c.json(await changeStaff(hub, caller, c.req.valid('param').id, c.req.valid('json')), 200);
  });
  app.openapi(revokeRoute, async (c) => {
    const caller = requireRole(c, 'admin');
    return c.json(await revokeStaffSessions(hub, caller, c.req.valid('param').id), 200);
  });
}
