// The bench's setup talks to the hub with the same client as `npm run demo` (dev/hub-client.ts).
export { HubClient as BenchApi, type ApiClientKey as BenchClient } from '../../dev/hub-client.js';
