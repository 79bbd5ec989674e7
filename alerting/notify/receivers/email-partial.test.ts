import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCatalog } from '../../../core/catalog/index.ts';
import { silentLogger } from '../../../core/log/logger.ts';
import { Secrets } from '../../../probes/index.ts';
import type { AlertStore, Delivery } from '../../store/alert-store.ts';
import { deliver } from '../deliver.ts';
import { firstNotification } from '../../testing/fixtures.ts';

const notification = firstNotification('mail');

/** A real SMTP server that refuses one of the receiver's two recipients (550). */
describe('an e-mail receiver whose server refuses some recipients', () => {
  let smtp: SMTPServer;
  let port = 0;
  const arrived: string[][] = [];

  beforeAll(async () => {
    smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      onRcptTo: (a, _s, cb) => (a.address.startsWith('nobody') ? cb(Object.assign(new Error('no such user'), { responseCode: 550 })) : cb()),
      onData: (stream, session, cb) => {
        stream.resume();
        stream.on('end', () => {
          arrived.push(session.envelope.rcptTo.map((r) => r.address));
          cb();
        });
      },
    });
    await new Promise<void>((r) => smtp.listen(0, '127.0.0.1', r));
    port = (smtp.server.address() as AddressInfo).port;
  });

  afterAll(async () => {
    await new Promise((r) => smtp?.close(() => r(undefined)));
  });

  it('is delivered once, and its record names the refused recipient with the answer (it said nothing of it)', async () => {
    const { catalog, problems } = parseCatalog([
      {
        file: 'estate.yaml',
        text: `receivers:\n  - { id: mail, type: email, to: [oncall@example.test, nobody@example.test], from: weft@example.test, smtp: { host: 127.0.0.1, port: ${port} } }\n`,
      },
    ]);
    expect(problems).toEqual([]);
    const records: Delivery[] = [];
    const alertStore = { recordDelivery: async (d: Delivery) => void records.push(d) } as unknown as AlertStore;
    const ok = await deliver(notification, {
      catalog,
      alertStore,
      secrets: new Secrets(() => undefined),
      logger: silentLogger(),
      externalUrl: 'http://127.0.0.1:3000',
      retryBaseMs: 1,
    });
    expect(ok).toBe(true);
    expect(arrived).toEqual([['oncall@example.test']]);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ ok: true, attempt: 1 });
    expect(records[0].error).toMatch(/^e-mailed to oncall@example\.test; refused by the server: nobody@example\.test \(550 no such user\)$/);
  });
});
