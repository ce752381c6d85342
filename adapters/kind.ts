import type { z } from '@hono/zod-openapi';
import type { AdapterOptions, PartnerAdapter } from './types.js';

/**
 * Everything the hub knows about one partner kind, declared in that kind's folder
 * (`adapters/<kind>/kind.ts`) and listed once in `registry.ts`. Code outside `adapters/` asks
 * the registry about capabilities and never compares a kind's name.
 *
 * The life of an adapter setting:
 * 1. `input`: the wire shape an admin sends (part of `/openapi.json`, `AdapterInput`);
 * 2. `targets` and `prepare`: registration checks every URL the hub will call, then splits the
 *    input into what is stored in the clear and the secrets, which are stored encrypted (and
 *    generates those the admin did not give, shown once);
 * 3. `show`: the stored setting as the API shows it back (`Adapter`), never a secret;
 * 4. `build`: the adapter itself, from the stored setting and the decrypted secrets.
 */
export interface AdapterKind<
  Type extends string = string,
  Input extends z.ZodObject = z.ZodObject,
  View extends z.ZodObject = z.ZodObject,
  Stored extends { type: Type } = { type: Type },
  Secrets extends object = object,
> {
  readonly type: Type;
  /** The shape an admin sends; a `type` literal plus the kind's own fields. */
  readonly input: Input;
  /** The shape shown back: secrets and tokens never appear in it. */
  readonly view: View;
  readonly capabilities: AdapterCapabilities;
  /** Every URL the hub will call for this setting, by its field under `adapter.` (`url`, `auth.tokenUrl`). */
  targets(input: z.infer<Input>): [field: string, url: string][];
  /** Splits the input: `stored` is kept in the clear, `secrets` encrypted, `shownOnce` answered once. */
  prepare(input: z.infer<Input>): PreparedKind<Stored, Secrets>;
  show(stored: Stored): z.infer<View>;
  build(stored: Stored, secrets: Partial<Secrets>, opts: AdapterOptions): PartnerAdapter;
  /** For kinds that poll: seconds between two reads of the partner's system. */
  pollEverySeconds?(stored: Stored): number;
  /** For kinds that take notices: whether `given` is the notice token stored for the partner. */
  noticeTokenMatches?(secrets: Partial<Secrets>, given: string): boolean;
}

export interface PreparedKind<Stored, Secrets> {
  stored: Stored;
  /** Encrypted as one record (`organizations.secret_jwe`); absent: the kind has no secret. */
  secrets?: Secrets;
  /** Generated secrets, answered to the admin once and never again. */
  shownOnce?: ShownOnce;
}

export interface ShownOnce {
  /** A webhook secret the hub generated (Standard Webhooks, `whsec_`). */
  webhookSecret?: string;
  /** The bearer token a partner's rest-hook subscription sends to `POST /fhir/notify/{id}`. */
  notifyToken?: string;
}

/** What the rest of the hub may rely on a kind to do; read instead of the kind's name. */
export interface AdapterCapabilities {
  /**
   * Deliveries carry the referral to the partner's own system: each is a disclosure recorded at
   * send time, and a partner that has a referral is sent its cancellation. False for partners who
   * pull through the API (their reads are the disclosures).
   */
  pushes: boolean;
  /** The hub reads status changes from the partner's system on a schedule (`pollEverySeconds`). */
  polls: boolean;
  /** The partner's system may tell the hub that something changed (`POST /fhir/notify/{id}`, `noticeTokenMatches`). */
  takesNotices: boolean;
  /** A referring organisation of this kind is sent `referral.sla_breached` notices. */
  receivesReferrerNotices: boolean;
}

/** Keeps each kind's own types while checking it against the contract. */
export function defineAdapterKind<Type extends string, Input extends z.ZodObject, View extends z.ZodObject, Stored extends { type: Type }, Secrets extends object>(
  kind: AdapterKind<Type, Input, View, Stored, Secrets>,
): AdapterKind<Type, Input, View, Stored, Secrets> {
  return kind;
}
