import postgres from 'postgres';

/**
 * A floor's pool: as large as the hub's (20), and closing connections idle for 2 s. The floors
 * stay up through the whole run but are loaded only in their own rounds; holding 20 connections
 * each meanwhile took 40 of the server's 100 and left the hub's processes too few (the scale-out
 * round's second gateway was refused connections). Reopened within a round's warm-up.
 */
export const floorPool = () => postgres(process.env.DATABASE_URL!, { max: 20, idle_timeout: 2, onnotice: () => {} });
