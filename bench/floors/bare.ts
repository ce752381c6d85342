/**
 * B0: a bare Hono app answering 1 KB of JSON. The ceiling of any route on this stack, measured in
 * the same run as everything else so that every other figure can be read as a ratio to it.
 */
import { Hono } from 'hono';
import { serveFloor } from './serve.js';

const payload = { items: Array.from({ length: 16 }, (_, i) => ({ id: `item_${String(i).padStart(22, '0')}`, status: 'delivered', n: i })) };
const app = new Hono();
app.get('/json', (c) => c.json(payload));
serveFloor(app);
