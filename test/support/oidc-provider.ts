import type { Server } from 'node:http';
import { Provider } from 'oidc-provider';
import { freePort } from '../../dev/proc.js';

export interface ProviderAccount {
  email?: string;
  emailVerified?: boolean;
  name?: string;
}

export interface TestIdentityProvider {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** People the provider knows, by the login typed on its sign-in page (which is also their `sub`). */
  accounts: Map<string, ProviderAccount>;
  stop(): Promise<void>;
}

/**
 * A real OpenID Connect provider (oidc-provider) on a free port, with one confidential client
 * registered for the hub's redirect URI. Its development sign-in and consent pages take any
 * login (and any password): the login is the account id, found in `accounts`. Scope claims come
 * from UserInfo, not the ID token, as with many real providers.
 */
export async function startIdentityProvider(opts: { redirectUri: string; host?: string; accounts?: Record<string, ProviderAccount> }): Promise<TestIdentityProvider> {
  const port = await freePort();
  const issuer = `http://${opts.host ?? 'localhost'}:${port}`;
  const accounts = new Map(Object.entries(opts.accounts ?? {}));
  const clientId = 'referral-hub';
  const clientSecret = 'test-client-secret-Vq8wR2nT5yK';
  const provider = new Provider(issuer, {
    clients: [{ client_id: clientId, client_secret: clientSecret, redirect_uris: [opts.redirectUri], grant_types: ['authorization_code'], response_types: ['code'] }],
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
    pkce: { required: () => true },
    cookies: { keys: ['test-only-cookie-key'] },
    features: { devInteractions: { enabled: true } },
    async findAccount(_ctx: unknown, id: string) {
      const account = accounts.get(id);
      if (!account) return undefined;
      return {
        accountId: id,
        claims: async () => ({ sub: id, ...(account.email ? { email: account.email, email_verified: account.emailVerified ?? true } : {}), ...(account.name ? { name: account.name } : {}) }),
      };
    },
  });
  // Its errors reach the browser as error redirects; the console shows those, the log is noise here.
  provider.on('server_error', () => {});
  const server: Server = await new Promise((resolve) => {
    const s = provider.listen(port, () => resolve(s));
  });
  return {
    issuer, clientId, clientSecret, accounts,
    stop: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
