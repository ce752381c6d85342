// The few parts of oidc-provider (a test-only dependency without bundled types) the tests use.
declare module 'oidc-provider' {
  import type { Server } from 'node:http';
  export class Provider {
    constructor(issuer: string, configuration: Record<string, unknown>);
    listen(port: number, callback?: () => void): Server;
    on(event: string, listener: (...args: unknown[]) => void): this;
  }
}
