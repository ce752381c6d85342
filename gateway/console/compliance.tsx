import { z } from '@hono/zod-openapi';
import type { Context, Hono } from 'hono';
import { forbidden, HubError } from '../../lib/errors.js';
import { DisclosureQuery } from '../../schemas/consent.js';
import { ParticipantSearch } from '../../schemas/participant.js';
import { PURPOSES, type Purpose } from '../../schemas/vocabulary.js';
import { accessMatrix } from '../../services/access-matrix.js';
import { listOwnConsents } from '../../services/consents.js';
import { accountingOf, auditStatus, disclosuresCsv, verifyAudit } from '../../services/disclosures.js';
import type { Hub } from '../../services/hub.js';
import { organizationNames } from '../../services/organizations.js';
import { findParticipants } from '../../services/participant-search.js';
import { readParticipant } from '../../services/participants.js';
import { auditConsoleAction, type StaffSession } from '../../services/staff.js';
import { zodProblems } from '../problem.js';
import { AccessMatrixPage, type AccessMatrixView } from './pages/compliance-access.js';
import { AuditPage } from './pages/compliance-audit.js';
import { DisclosuresPage, DisclosuresPrintPage, type DisclosuresView } from './pages/compliance-disclosures.js';
import { ComplianceParticipantPage, type BasisView } from './pages/compliance-participant.js';
import { ParticipantSearchPage } from './pages/compliance-search.js';
import { callerAs } from './roles.js';
import type { ConsoleEnv } from './session.js';

const complianceOf = (session: StaffSession) => callerAs(session, 'compliance', 'these pages are for a referring organisation’s compliance officers');

/** The non-empty text values of `keys`, trimmed: an empty form field means "not given". */
function filled(fields: Record<string, string | undefined>, keys: readonly string[]): Record<string, string> {
  const values: Record<string, string> = {};
  for (const key of keys) {
    const value = fields[key]?.trim();
    if (value) values[key] = value;
  }
  return values;
}
const given = (c: Context<ConsoleEnv>, keys: readonly string[]) => filled(c.req.query(), keys);

/** A date field (the day, in UTC) as the API's instants: `to` is included, so it ends at the next midnight. */
function disclosureFilter(values: Record<string, string>) {
  const isDay = (d: string) => z.iso.date().safeParse(d).success;
  const next = (d: string) => new Date(Date.parse(`${d}T00:00:00Z`) + 86_400_000).toISOString();
  const errors: Record<string, string> = {};
  if (values.from && !isDay(values.from)) errors.from = 'a date, YYYY-MM-DD';
  if (values.to && !isDay(values.to)) errors.to = 'a date, YYYY-MM-DD';
  if (!errors.from && !errors.to && values.from && values.to && values.to < values.from) errors.to = 'the end date is before the start date';
  if (Object.keys(errors).length) return { errors };
  const parsed = DisclosureQuery.safeParse({
    ...(values.from ? { from: `${values.from}T00:00:00.000Z` } : {}),
    ...(values.to ? { to: next(values.to) } : {}),
    ...(values.recipient ? { recipient: values.recipient } : {}),
    ...(values.channel ? { channel: values.channel } : {}),
  });
  if (!parsed.success) return { errors: Object.fromEntries(zodProblems(parsed.error, 'query').map((p) => [p.path, p.message])) };
  return { filter: parsed.data, errors };
}

const FILTER_KEYS = ['from', 'to', 'recipient', 'channel'] as const;
const queryString = (values: Record<string, string>) => {
  const params = new URLSearchParams(FILTER_KEYS.filter((k) => values[k]).map((k): [string, string] => [k, values[k]!]));
  return params.size ? `?${params}` : '';
};

/**
 * The compliance officer's pages: find a participant, their bases, the access matrix, the
 * accounting of disclosures (and its CSV) and the audit chain. Each calls the same service as the
 * API route it mirrors, as the staff member's caller, so it sees what a compliance client of the
 * organisation sees and is audited as that read is; the pages the API has no read for (the
 * search, the matrix, the audit check) are audited as console actions.
 */
export function registerCompliancePages(app: Hono<ConsoleEnv>, hub: Hub) {
  app.get('/participants', (c) => {
    const session = c.get('session')!;
    complianceOf(session);
    return c.html(<ParticipantSearchPage session={session} state={{ values: {}, errors: {} }} />);
  });

  // A post, not a query string: a name and a date of birth in an address would stay in the
  // browser's history and in every proxy's access log, where the audit entry leaves them out.
  app.post('/participants/search', async (c) => {
    const session = c.get('session')!;
    const caller = complianceOf(session);
    const values = filled(c.get('form'), ['name', 'birthDate', 'reference']);
    if (Object.keys(values).length === 0) return c.html(<ParticipantSearchPage session={session} state={{ values, errors: {} }} />);
    const parsed = ParticipantSearch.safeParse(values);
    if (!parsed.success) {
      const errors = Object.fromEntries(zodProblems(parsed.error, 'form').map((p) => [p.path, p.message]));
      return c.html(<ParticipantSearchPage session={session} state={{ values, errors }} />, 400);
    }
    const results = await findParticipants(hub, caller, parsed.data);
    return c.html(<ParticipantSearchPage session={session} state={{ values, errors: {}, results }} />);
  });

  app.get('/participants/:id', async (c) => {
    const session = c.get('session')!;
    const caller = complianceOf(session);
    // readParticipant audits the read, as GET /v1/participants/{id} does; a participant of another organisation is a 404.
    const participant = await readParticipant(hub, caller, c.req.param('id'));
    const bases = (await listOwnConsents(hub, caller, participant.id)) as BasisView[];
    const names = await organizationNames(hub, bases.flatMap((b) => actorIds(b.provision)));
    return c.html(<ComplianceParticipantPage session={session} participant={participant} bases={bases} names={names} />);
  });

  app.get('/participants/:id/access', async (c) => {
    const session = c.get('session')!;
    const caller = complianceOf(session);
    const participant = await readParticipant(hub, caller, c.req.param('id'));
    const values: Record<string, string> = { purpose: 'care_coordination', ...given(c, ['purpose', 'also']) };
    const errors: Record<string, string> = {};
    if (!PURPOSES.includes(values.purpose as Purpose)) errors.purpose = `one of ${PURPOSES.join(', ')}`;
    let view: AccessMatrixView | undefined;
    if (!errors.purpose) {
      try {
        view = await accessMatrix(hub, caller, participant.id, { purpose: values.purpose as Purpose, also: values.also });
      } catch (error) {
        if (!(error instanceof HubError && error.status === 404 && values.also)) throw error;
        errors.also = 'no organisation has this id';
      }
    }
    if (view) await auditConsoleAction(hub, session, 'access.viewed', participant.id, { purpose: view.purpose, organizations: view.rows.map((r) => r.organization.id) });
    return c.html(<AccessMatrixPage session={session} participant={participant} view={view} values={values} errors={errors} />, view ? 200 : 400);
  });

  const accounting = async (c: Context<ConsoleEnv>) => {
    const session = c.get('session')!;
    const caller = complianceOf(session);
    const participant = await readParticipant(hub, caller, c.req.param('id')!);
    const values = given(c, FILTER_KEYS);
    const { filter, errors } = disclosureFilter(values);
    // accountingOf audits the read (`disclosures.read`), as GET /v1/participants/{id}/disclosures does.
    const items = filter ? await accountingOf(hub, caller, participant.id, filter) : [];
    return { session, caller, participant, values, errors, items };
  };

  app.get('/participants/:id/disclosures', async (c) => {
    const { session, caller, participant, values, errors, items } = await accounting(c);
    const names = await organizationNames(hub, [caller.organizationId, ...items.map((d) => d.recipientOrganizationId), ...(values.recipient ? [values.recipient] : [])]);
    const view: DisclosuresView = {
      participant, items, names, values, errors, query: queryString(values), at: hub.clock.now().toISOString(),
      hub: { name: 'Referral hub', url: hub.config.publicUrl, keeper: names.get(caller.organizationId) ?? caller.organizationId },
    };
    const status = Object.keys(errors).length ? 400 : 200;
    if (c.req.query('print') && status === 200) return c.html(<DisclosuresPrintPage view={view} />);
    return c.html(<DisclosuresPage session={session} view={view} />, status);
  });

  // The same file as `GET /v1/participants/{id}/disclosures` with `Accept: text/csv`.
  app.get('/participants/:id/disclosures.csv', async (c) => {
    const { participant, errors, items } = await accounting(c);
    if (Object.keys(errors).length) throw new HubError(400, 'Bad Request', `the filters are invalid: ${Object.entries(errors).map(([k, v]) => `${k}: ${v}`).join('; ')}`);
    c.header('content-disposition', `attachment; filename="disclosures-${participant.id}.csv"`);
    return c.body(disclosuresCsv(items), 200, { 'content-type': 'text/csv; charset=utf-8' });
  });

  // As GET /v1/audit/verify: the whole log, for compliance officers and admins. The page shows the
  // latest walk of the chain (the worker walks it on a timer) rather than walking a long log on
  // every view; "Verify now" walks it at once. The first view of a log never walked walks it.
  const auditor = (session: StaffSession) => {
    if (session.caller.role !== 'compliance' && session.caller.role !== 'admin') throw forbidden('the audit log check is for compliance officers and admins');
    return session.caller;
  };

  app.get('/audit', async (c) => {
    const session = c.get('session')!;
    const caller = auditor(session);
    let status = await auditStatus(hub);
    if (!status.last) {
      const result = await verifyAudit(hub, caller.clientId);
      await auditConsoleAction(hub, session, 'audit.verified', undefined, { valid: result.valid, entries: result.entries });
      status = await auditStatus(hub);
    } else {
      await auditConsoleAction(hub, session, 'audit.viewed', undefined, { verifiedAt: status.last.at, valid: status.last.valid });
    }
    return c.html(<AuditPage session={session} status={status} />);
  });

  app.post('/audit/verify', async (c) => {
    const session = c.get('session')!;
    const result = await verifyAudit(hub, auditor(session).clientId);
    await auditConsoleAction(hub, session, 'audit.verified', undefined, { valid: result.valid, entries: result.entries });
    return c.redirect('/console/audit', 303);
  });
}

/** Every organisation id a provision tree names, for the page to show names next to them. */
function actorIds(provision: BasisView['provision']): string[] {
  return [...(provision.actors ?? []).flatMap((a) => (a.organizationId ? [a.organizationId] : [])), ...(provision.provisions ?? []).flatMap(actorIds)];
}
