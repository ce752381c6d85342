import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { timePage, type ConsolePage } from '../../bench/scenarios/console-pages.js';
import type { ConsoleSessions } from '../../bench/setup/staff.js';

/** B7 must fail on a broken page rather than time it: the checks its smoke run relies on. */

let server: Server;
let origin: string;
const sessions: ConsoleSessions = { planner: 'hub_session=p', partner: 'hub_session=q', compliance: 'hub_session=c', manager: 'hub_session=m' };

beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url === '/console/caseload' && req.headers.cookie === sessions.planner) {
      res.writeHead(200, { 'content-type': 'text/html' }).end('<main><h1>Caseload</h1><p>ref_1</p></main>');
    } else if (req.url === '/console/caseload') {
      res.writeHead(303, { location: '/console/sign-in?next=%2Fconsole%2Fcaseload' }).end();
    } else {
      res.writeHead(200, { 'content-type': 'text/html' }).end('<main><h1>Forbidden</h1></main>');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const caseload: ConsolePage = { name: 'caseload', role: 'planner', path: '/console/caseload', heading: 'Caseload' };

describe('a B7 page fetch', () => {
  it('passes a 200 with the heading, sent with the role’s session cookie', async () => {
    const answer = await timePage(origin, sessions, caseload);
    expect(answer.wrong).toBeUndefined();
    expect(answer.ms).toBeGreaterThan(0);
  });

  it('fails a redirect to sign-in, naming the page and where it went', async () => {
    const { wrong } = await timePage(origin, { ...sessions, planner: 'hub_session=expired' }, caseload);
    expect(wrong).toContain('caseload (GET /console/caseload as planner): HTTP 303 to /console/sign-in');
  });

  it('fails a 200 that is another page, quoting the heading it had', async () => {
    const { wrong } = await timePage(origin, sessions, { ...caseload, path: '/console/inbox', name: 'inbox', heading: 'Referrals to your organisation' });
    expect(wrong).toContain('no heading "Referrals to your organisation…" (the page\'s heading: Forbidden)');
  });

  it('fails a page without the text it must hold', async () => {
    const { wrong } = await timePage(origin, sessions, { ...caseload, contains: 'par_42' });
    expect(wrong).toContain('no "par_42" on the page');
  });
});
