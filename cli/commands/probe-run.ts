import { ERR_CONFIG } from '../../core/errors/index.ts';
import type { Command } from '../command.ts';
import { probeSession, probeSessionFlags } from './probe-session.ts';

export const probeRunCommand: Command = {
  summary: 'Run one probe of the catalog now against the real system and print its result; exits 1 when it fails',
  usage:
    'probe run ID --catalog FILE… [--data DIR | --clickhouse URL] [--no-record] [--secrets-file FILE] [--catalog-env-allow NAME,…] [--catalog-env-deny NAME,…] [--log-level error]',
  options: probeSessionFlags,
  booleans: ['no-record'],
  operands: 1,
  async run(args, io) {
    const id = args.positionals[0];
    if (!id) throw ERR_CONFIG('Name the probe: weft probe run ID --catalog FILE.');
    const session = await probeSession(args, io);
    try {
      const { sample, shapeChanged } = await session.probes.runProbe(id);
      await session.audit('probe.run', id, { ok: sample.ok });
      const metrics = Object.entries(sample.metrics)
        .map(([k, v]) => `${k}=${v}`)
        .join(' ');
      io.out(`probe ${id} (${sample.kind} on ${sample.system}${sample.domain ? `, domain ${sample.domain}` : ''})`);
      if (sample.ok) io.out(`  ok       value ${sample.value}${metrics ? `  (${metrics})` : ''}`);
      else io.out(`  FAILED   ${sample.errorCode}: ${sample.error}${metrics ? `  (${metrics})` : ''}`);
      io.out(`  latency  ${sample.latencyMs.toFixed(1)} ms`);
      if (shapeChanged) io.out('  shape    changed since the previous run (schema drift)');
      io.out(`  recorded ${session.recorded ? 'yes' : 'no'}`);
      return sample.ok ? 0 : 1;
    } finally {
      await session.close();
    }
  },
};
