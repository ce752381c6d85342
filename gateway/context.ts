import type { Caller } from '../domain/caller.js';

/** What the gateway's middleware puts on every request's context. */
export interface AppEnv {
  Variables: { caller: Caller };
}
