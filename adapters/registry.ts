import { z } from '@hono/zod-openapi';
import { fhirKind } from './fhir/kind.js';
import type { AdapterCapabilities, AdapterKind } from './kind.js';
import { portalKind } from './portal/kind.js';
import type { AdapterOptions, PartnerAdapter } from './types.js';
import { webhookKind } from './webhook/kind.js';

/**
 * The one list of partner kinds. A new kind is one folder under `adapters/` (its `kind.ts`
 * declares the wire shape, preparation, construction and capabilities) plus one entry here.
 * The order is the order of `AdapterInput` and `Adapter` in `/openapi.json`.
 */
const KINDS = [webhookKind, fhirKind, portalKind] as const;

type Kinds = typeof KINDS;
// The tuples of the kinds' schemas, so that the unions below keep each kind's own type.
type Schemas<K extends readonly unknown[], Field extends 'input' | 'view'> = { -readonly [I in keyof K]: K[I] extends { [F in Field]: infer S } ? S : never };
type Inputs = Schemas<Kinds, 'input'>;
type Views = Schemas<Kinds, 'view'>;

export const ADAPTER_TYPES = KINDS.map((k) => k.type) as readonly AdapterType[];
export type AdapterType = Kinds[number]['type'];

/** What an admin sends as `adapter`, chosen by `type`. */
export const AdapterInput = z.discriminatedUnion('type', KINDS.map((k) => k.input) as unknown as Inputs).openapi('AdapterInput', {
  description: 'How referrals reach the organisation, chosen by `type`. Secrets and tokens are stored encrypted.',
});
export type AdapterInput = z.infer<typeof AdapterInput>;

/** The adapter as shown back: secrets and tokens are never echoed. */
export const AdapterView = z
  .discriminatedUnion('type', KINDS.map((k) => k.view) as unknown as Views)
  .openapi('Adapter', { description: 'The adapter as shown back: secrets and tokens are never included.' });
export type AdapterView = z.infer<typeof AdapterView>;

/** A setting as stored (`organizations.adapter`): the kind's own fields, in the clear. */
export interface StoredAdapterSetting {
  readonly type: string;
}

/** The kind of a stored or submitted setting; an unknown one is a setting written by a newer hub or edited by hand. */
export function adapterKind(type: string): AdapterKind {
  const kind = KINDS.find((k) => k.type === type);
  if (!kind) throw new Error(`unknown partner adapter type: ${type}`);
  // Each kind is checked against the contract where it is defined; here they are handled alike.
  return kind as unknown as AdapterKind;
}

export function capabilitiesOf(setting: StoredAdapterSetting): AdapterCapabilities {
  return adapterKind(setting.type).capabilities;
}

/** The kinds that have `capability`, e.g. every kind the status poller reads. */
export function kindsThat(capability: keyof AdapterCapabilities): string[] {
  return KINDS.filter((k) => k.capabilities[capability]).map((k) => k.type);
}

/** The adapter of a stored setting, with its decrypted secrets. */
export function buildAdapter(setting: StoredAdapterSetting, secrets: object, opts: AdapterOptions): PartnerAdapter {
  return adapterKind(setting.type).build(setting as never, secrets, opts);
}

/** The stored setting as the API shows it (`Adapter`). */
export function showAdapter(setting: StoredAdapterSetting): AdapterView {
  return adapterKind(setting.type).show(setting as never) as AdapterView;
}

/** Seconds between two polls of a partner whose kind polls; undefined for the others. */
export function pollEverySeconds(setting: StoredAdapterSetting): number | undefined {
  return adapterKind(setting.type).pollEverySeconds?.(setting as never);
}

/** Whether `given` is the notice token of a partner whose kind takes notices (false for the others). */
export function noticeTokenMatches(setting: StoredAdapterSetting, secrets: object, given: string): boolean {
  return adapterKind(setting.type).noticeTokenMatches?.(secrets, given) ?? false;
}
