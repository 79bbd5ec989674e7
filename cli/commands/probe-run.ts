import { ERR_CONFIG } from '../../core/errors/index.ts';
import { weftApi } from './weft-api.ts';
import type { Command } from '../command.ts';
import { probeSession, probeSessionFlags, runThroughWeft } from './probe-session.ts';
import type { ProbeSample } from '../../probes/index.ts';

/** A sample as the API answers it (api/schemas/probes.ts, SampleSchema) or as this process took it. */
interface SampleText {
  ok: boolean;
  value: number | null;
  metrics: Record<string, number>;
  latencyMs: number;
  errorCode: string;
  error: string;
}

/** The lines of one probe run: value or error, latency, schema drift, where it was recorded. */
function runLines(header: string, sample: SampleText, shapeChanged: boolean, recorded: string): string[] {
  const metrics = Object.entries(sample.metrics)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
  return [
    header,
    sample.ok
      ? `  ok       value ${sample.value}${metrics ? `  (${metrics})` : ''}`
      : `  FAILED   ${sample.errorCode}: ${sample.error}${metrics ? `  (${metrics})` : ''}`,
    `  latency  ${sample.latencyMs.toFixed(1)} ms`,
    ...(shapeChanged ? ['  shape    changed since the previous run (schema drift)'] : []),
    `  recorded ${recorded}`,
  ];
}

const headerOf = (id: string, p: Pick<ProbeSample, 'kind' | 'system' | 'domain'>) =>
  `probe ${id} (${p.kind} on ${p.system}${p.domain ? `, domain ${p.domain}` : ''})`;

export const probeRunCommand: Command = {
  summary: 'Run one probe of the catalog now against the real system and print its result; exits 1 when it fails',
  usage:
    'probe run ID (--url http://127.0.0.1:3000 | --catalog FILE… [--data DIR | --clickhouse URL] [--no-record] [--secrets-file FILE] [--catalog-env-allow NAME,…] [--catalog-env-deny NAME,…]) [--log-level error]',
  options: probeSessionFlags,
  booleans: ['no-record'],
  operands: 1,
  async run(args, io) {
    const id = args.positionals[0];
    if (!id) throw ERR_CONFIG('Name the probe: weft probe run ID --catalog FILE (or --url for a running Weft).');
    // A running Weft runs it with its catalog and credentials and records it in its store (token in WEFT_TOKEN).
    const remote = await runThroughWeft<{ sample: SampleText; shapeChanged: boolean }>(args, io, `/api/v1/probes/${encodeURIComponent(id)}/run`, 'probes');
    if (remote) {
      const { probes } = await weftApi(remote.url, io.env.WEFT_TOKEN, 'an sre, icoe or admin token runs probes').json<{
        probes: { id: string; kind: string; system: string; domain: string }[];
      }>('/api/v1/probes');
      const probe = probes.find((p) => p.id === id);
      const header = probe ? headerOf(id, probe) : `probe ${id}`;
      for (const line of runLines(header, remote.answer.sample, remote.answer.shapeChanged, `yes, by the Weft at ${remote.url} (in its store)`)) io.out(line);
      return remote.answer.sample.ok ? 0 : 1;
    }
    const session = await probeSession(args, io);
    try {
      const { sample, shapeChanged } = await session.probes.runProbe(id);
      await session.audit('probe.run', id, { ok: sample.ok });
      for (const line of runLines(headerOf(id, sample), sample, shapeChanged, session.recorded)) io.out(line);
      return sample.ok ? 0 : 1;
    } finally {
      await session.close();
    }
  },
};
