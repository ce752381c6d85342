import type { DataKeyring } from '../crypto/data-keys.js';
import { assertRegisteredUrlIsPublic } from '../lib/net/registered-url.js';
import type { ShownOnce } from './kind.js';
import { adapterKind, type AdapterInput, type StoredAdapterSetting } from './registry.js';

export interface PreparedAdapter {
  stored: StoredAdapterSetting;
  /** The kind's secrets as one JWE (`dir`, `A256GCM`); null when it has none. */
  secretJwe: string | null;
  shownOnce: ShownOnce;
}

/**
 * Registration of an adapter setting, the same for every kind: each URL the hub will call is
 * checked by the SSRF guard first (a refusal names the field, `adapter.<field>`), then the kind
 * splits the input, and its secrets are encrypted before anything is stored.
 */
export async function prepareAdapter(input: AdapterInput, deps: { keyring: DataKeyring; allowPrivate: boolean }): Promise<PreparedAdapter> {
  const kind = adapterKind(input.type);
  for (const [field, url] of kind.targets(input)) await assertRegisteredUrlIsPublic(`adapter.${field}`, url, deps.allowPrivate);
  const prepared = kind.prepare(input);
  return {
    stored: prepared.stored,
    secretJwe: prepared.secrets ? await deps.keyring.encrypt(prepared.secrets) : null,
    shownOnce: prepared.shownOnce ?? {},
  };
}
