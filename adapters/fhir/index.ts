import type { Client } from 'fhir-kit-client';
import type { Bundle, BundleEntry, Patient, ServiceRequest, Task } from '@medplum/fhirtypes';
import type { Disclosed } from '../../consent/disclosed.js';
import { assertPublicUrl } from '../../lib/net/ssrf.js';
import { failureResult as resultOf, type AdapterOptions, type DeliveryContext, type DeliveryMessage, type DeliveryResult, type PartnerAdapter, type PartnerReferralView, type StatusFetchResult } from '../types.js';
import type { FhirAdapterConfig } from './config.js';
import { describeFailure, fhirClient, redactorFor, type CallFailure, type Redactor } from './client.js';
import { referralResources, referralSearch, referralTransaction } from './resources.js';
import { smartTokens, TokenError } from './smart.js';
import { changedTasks } from './tasks.js';

export { closeFhirAgents } from './client.js';
export { TASK_STATUS_MAP, ENGAGEMENT_SYSTEM } from './status.js';
export { clearSmartTokens, CLIENT_ASSERTION_TYPE, DEFAULT_SMART_SCOPE } from './smart.js';
export { REFERRAL_SYSTEM, PARTICIPANT_SYSTEM, ORGANIZATION_SYSTEM, CATEGORY_SYSTEM } from './codes.js';
export type { FhirAdapterConfig, FhirAuthConfig } from './config.js';

/**
 * FHIR R4 partners (Gravity SDOH closed-loop referral): delivery writes a Patient, a
 * ServiceRequest and a Task on the partner's server; a cancellation sets the Task to `cancelled`
 * (and the ServiceRequest to `revoked`); status comes back by reading the hub's Tasks.
 *
 * Outcomes: 2xx delivered; 5xx, 408/409/412/429, timeouts and network errors retry; any other
 * 4xx is a permanent failure (the partner rejects the content, the URL or our credentials, and
 * repeating the same request will not change its mind); an SSRF refusal is permanent.
 */

/** Statuses after which a Task is not reopened by a cancellation. */
const FINAL_TASK = new Set<Task['status']>(['cancelled', 'completed', 'failed', 'rejected', 'entered-in-error']);
/** Answers that mean "this server does not do transactions at base": fall back to one create each. */
const NO_TRANSACTIONS = new Set([404, 405, 501]);

class CallError extends Error {
  constructor(readonly failure: CallFailure) {
    super(failure.error);
  }
}

export function createFhirAdapter(cfg: FhirAdapterConfig, opts: AdapterOptions): PartnerAdapter {
  const timeoutMs = opts.timeoutMs;
  let configError: string | undefined;
  if (cfg.auth?.type === 'smart' && !opts.signingKey) configError = 'SMART Backend Services: the hub has no signing key for the client assertion';
  const client = configError ? undefined : fhirClient(cfg, { allowPrivate: opts.allowPrivate, timeoutMs });
  const smart =
    cfg.auth?.type === 'smart' && opts.signingKey ? smartTokens(cfg.auth, { allowPrivate: opts.allowPrivate, timeoutMs, signingKey: opts.signingKey }) : undefined;

  /**
   * Runs `work` with the partner's access token set on the client. With SMART auth, a 401 from
   * the FHIR server drops the cached token and runs `work` once more with a fresh one (revoked
   * early, or the partner's clock ran faster): every piece of work here is idempotent.
   */
  async function authorized<T>(signal: AbortSignal, work: (c: Client) => Promise<T>): Promise<T> {
    if (!smart) return work(client!);
    const token = await smart.token(signal);
    client!.bearerToken = token;
    try {
      return await work(client!);
    } catch (err) {
      if (statusOf(err) !== 401) throw err;
      smart.drop(token);
      client!.bearerToken = await smart.token(signal);
      return work(client!);
    }
  }

  /** Runs one fhir-kit-client call; a failure is thrown as a CallError already described. */
  async function call<T>(run: () => Promise<unknown>, redact?: Redactor): Promise<T> {
    try {
      return (await run()) as T;
    } catch (err) {
      throw new CallError(describeFailure(err, timeoutMs, redact));
    }
  }

  async function guard(): Promise<CallFailure | undefined> {
    if (configError) return { kind: 'permanent', error: configError };
    try {
      await assertPublicUrl(cfg.baseUrl, { allowPrivate: opts.allowPrivate });
      return undefined;
    } catch (err) {
      return describeFailure(err, timeoutMs);
    }
  }

  async function deliverReferral(c: Client, view: Disclosed<PartnerReferralView>, context: DeliveryContext, signal: AbortSignal): Promise<DeliveryResult> {
    // Anything the partner's server echoes back of what we sent stays out of errors and logs.
    const redact = redactorFor([view.caseFile, view.reason]);
    const bundle = referralTransaction(view, context);
    let response: Bundle;
    try {
      response = await call<Bundle>(() => c.transaction({ body: bundle as never, options: { signal } }), redact);
    } catch (err) {
      const f = (err as CallError).failure;
      if (f?.status !== undefined && NO_TRANSACTIONS.has(f.status)) return sequentialCreates(c, view, context, signal, redact);
      throw err;
    }
    const entries = response.resourceType === 'Bundle' ? (response.entry ?? []) : [];
    const task = entries[2];
    const ok = entries.length === 3 && entries.every((e) => /^2\d\d/.test(e.response?.status ?? ''));
    if (!ok || !task) return { outcome: 'retry', error: 'the partner answered the transaction without three successful entries' };
    return { outcome: 'delivered', detail: describeEntry(task) };
  }

  /** For servers without transactions at base: three conditional creates, each `If-None-Exist`. */
  async function sequentialCreates(c: Client, view: Disclosed<PartnerReferralView>, context: DeliveryContext, signal: AbortSignal, redact: Redactor): Promise<DeliveryResult> {
    const create = async <T extends Patient | ServiceRequest | Task>(resource: T, ifNoneExist: string) => {
      const options = { signal, headers: { 'if-none-exist': ifNoneExist } };
      return call<T & { id: string }>(() => c.create({ resourceType: resource.resourceType, body: resource as never, options }), redact);
    };
    // References are filled in as the ids become known; the conditions do not depend on them.
    const draft = referralResources(view, context, { patient: 'Patient/pending', serviceRequest: 'ServiceRequest/pending' });
    const patient = await create(draft.patient, draft.conditions.patient);
    const withPatient = referralResources(view, context, { patient: `Patient/${patient.id}`, serviceRequest: 'ServiceRequest/pending' });
    const serviceRequest = await create(withPatient.serviceRequest, draft.conditions.serviceRequest);
    const final = referralResources(view, context, { patient: `Patient/${patient.id}`, serviceRequest: `ServiceRequest/${serviceRequest.id}` });
    const task = await create(final.task, draft.conditions.task);
    return { outcome: 'delivered', detail: `Task/${task.id} (sequential creates)` };
  }

  async function cancelReferral(c: Client, referralId: string, signal: AbortSignal): Promise<DeliveryResult> {
    const found = await call<Bundle<Task>>(() => c.search({ resourceType: 'Task', searchParams: { identifier: referralSearch(referralId) }, options: { signal } }));
    const task = found.entry?.map((e) => e.resource).find((r): r is Task => r?.resourceType === 'Task');
    if (!task?.id) return { outcome: 'delivered', detail: 'no Task on the partner server to cancel' };
    const alreadyCancelled = task.status === 'cancelled';
    if (FINAL_TASK.has(task.status) && !alreadyCancelled) return { outcome: 'delivered', detail: `Task/${task.id} already ${task.status}` };
    if (!alreadyCancelled) {
      // A full update with If-Match: a partner changing the Task at the same moment wins (412), and
      // the retry reads it afresh. (PUT, not PATCH: servers such as Medplum ignore If-Match on PATCH.)
      const { versionId, lastUpdated: _lastUpdated, ...meta } = task.meta ?? {};
      const update: Task = { ...task, meta, status: 'cancelled', statusReason: { text: 'Cancelled by the referring organisation' } };
      const ifMatch = versionId ? { 'if-match': `W/"${versionId}"` } : undefined;
      await call(() => c.update({ resourceType: 'Task', id: task.id!, body: update as never, options: { signal, ...(ifMatch ? { headers: ifMatch } : {}) } }));
    }
    const focus = task.focus?.reference;
    if (focus?.startsWith('ServiceRequest/')) {
      const id = focus.slice('ServiceRequest/'.length);
      // Also on a retry that finds the Task cancelled: the first attempt may have stopped here.
      // A missing request is not a failure: the Task is what the partner works from.
      await call(() => c.patch({ resourceType: 'ServiceRequest', id, jsonPatch: [{ op: 'replace', path: '/status', value: 'revoked' }], options: { signal } })).catch((err: CallError) => {
        if (err.failure?.status !== 404 && err.failure?.status !== 410) throw err;
      });
    }
    if (alreadyCancelled) return { outcome: 'delivered', detail: `Task/${task.id} already cancelled` };
    return { outcome: 'delivered', detail: `Task/${task.id} cancelled` };
  }

  return {
    type: 'fhir',
    async deliver(msg: DeliveryMessage): Promise<DeliveryResult> {
      // This kind does not receive referrer notices (kind.ts); a referrer that switched to FHIR
      // after a breach was queued has no resource agreed for it.
      if (msg.type === 'referral.sla_breached') return { outcome: 'permanent_failure', error: 'the FHIR adapter does not carry referral.sla_breached notices' };
      const refused = await guard();
      if (refused) return resultOf(refused);
      // One bound for the whole attempt, however many calls it takes.
      const signal = AbortSignal.timeout(timeoutMs);
      try {
        if (msg.type === 'referral.cancelled') {
          const id = msg.referral.id;
          return await authorized(signal, (c) => cancelReferral(c, id, signal));
        }
        if (!msg.context) return { outcome: 'permanent_failure', error: 'delivery context missing: the FHIR adapter needs the subject and organisations' };
        const { referral, context } = msg;
        return await authorized(signal, (c) => deliverReferral(c, referral, context, signal));
      } catch (err) {
        if (err instanceof CallError || err instanceof TokenError) return resultOf(err.failure);
        return resultOf(describeFailure(err, timeoutMs));
      }
    },

    async fetchStatusChanges(cursor: string | undefined): Promise<StatusFetchResult> {
      const refused = await guard();
      if (refused) return { outcome: 'error', error: refused.error };
      try {
        const signal = AbortSignal.timeout(timeoutMs);
        const { reports, cursor: next } = await authorized(signal, (c) => changedTasks(c, cfg.baseUrl, cursor, signal));
        return { outcome: 'ok', reports, cursor: next };
      } catch (err) {
        if (err instanceof TokenError) return { outcome: 'error', error: err.failure.error };
        return { outcome: 'error', error: describeFailure(err, timeoutMs).error };
      }
    },
  };
}

/** The HTTP status of a failed call, whether already described (CallError) or as fhir-kit-client threw it. */
function statusOf(err: unknown): number | undefined {
  if (err instanceof CallError) return err.failure.status;
  const status = (err as { response?: { status?: unknown } } | undefined)?.response?.status;
  return typeof status === 'number' ? status : undefined;
}

function describeEntry(entry: BundleEntry): string {
  const location = entry.response?.location ?? (entry.resource ? `${entry.resource.resourceType}/${entry.resource.id}` : 'Task');
  const created = entry.response?.status?.startsWith('201');
  return `${location.replace(/\/_history\/.*$/, '')} (${created ? 'created' : 'already there'})`;
}
