import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSystemServer, type SystemServer } from './system-server.ts';
import { SystemStore } from './system-store.ts';

describe('system server', () => {
  const store = new SystemStore('crm', { customers: 'CUS', leads: 'LEAD' });
  let slowTasks = 0;
  let server: SystemServer;
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${server.url}/api${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Record<string, any> };
  };

  beforeAll(async () => {
    for (let i = 0; i < 5; i++) store.collection('customers').create({ name: `c${i}` });
    server = await startSystemServer(store, { delay: (method, collection) => (method === 'POST' && collection === 'leads' ? slowTasks : 0) });
  });
  afterAll(() => server.stop());

  it('answers the record count a probe reads', async () => {
    expect(await call('GET', '/customers/count')).toEqual({ status: 200, body: { count: 5 } });
  });

  it('creates, reads and patches a record over a real socket', async () => {
    const created = await call('POST', '/customers', { name: 'Acme' });
    expect(created.status).toBe(201);
    expect(created.body.id).toBe('CUS-000006');
    expect((await call('GET', `/customers/${created.body.id}`)).body.name).toBe('Acme');
    expect((await call('PATCH', `/customers/${created.body.id}`, { segment: 'smb' })).body).toMatchObject({ name: 'Acme', segment: 'smb' });
    expect((await call('GET', '/customers/count')).body.count).toBe(6);
  });

  it('lists what changed since a sequence, filtered by field, for batch syncs', async () => {
    const all = await call('GET', '/customers?since=0&limit=2');
    expect(all.body.items.map((r: { id: string }) => r.id)).toEqual(['CUS-000001', 'CUS-000002']);
    const after = await call('GET', `/customers?since=${all.body.lastSeq}&name=c3`);
    expect(after.body.items.map((r: { id: string }) => r.id)).toEqual(['CUS-000004']);
  });

  it('upserts many records in one bulk call, keeping their ids', async () => {
    const res = await call('PUT', '/leads', {
      items: [
        { id: 'LEAD-9', company: 'A' },
        { id: 'LEAD-10', company: 'B' },
      ],
    });
    expect(res.status).toBe(200);
    expect((await call('GET', '/leads/count')).body.count).toBe(2);
  });

  it('rejects bad input with a status and a message saying what is wrong', async () => {
    expect(await call('POST', '/customers', '{"name":')).toEqual({ status: 400, body: { error: 'The body must be one JSON object.' } });
    expect((await call('GET', '/invoices/count')).body.error).toBe('crm keeps no "invoices"; it keeps customers, leads.');
    expect((await call('GET', '/customers?limit=-1')).status).toBe(400);
    expect((await call('PUT', '/leads', { items: [{ company: 'no id' }] })).body.error).toBe('items[0] has no "id".');
    expect((await call('GET', '/customers/CUS-999999')).status).toBe(404);
    expect((await fetch(`${server.url}/customers/count`)).status).toBe(404);
  });

  it('adds the latency its delay policy asks for', async () => {
    slowTasks = 300;
    const started = performance.now();
    await call('POST', '/leads', { company: 'slow' });
    const elapsed = performance.now() - started;
    slowTasks = 0;
    expect(elapsed).toBeGreaterThanOrEqual(290);
  });
});
