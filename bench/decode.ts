// A micro-benchmark of the JavaScript side alone: OTLP protobuf bodies to RowBinary segment
// bytes, hand-written decoder against the protobufjs reference path, on one core.
import { ingestBody, fromObjects } from '../collector/http/ingest.ts';
import { decodeProto } from '../collector/otlp/proto-codec.ts';
import { defaultIngestLimits, IngestReport } from '../collector/otlp/limits.ts';
import { encodeBodies } from './ingest-spans.ts';

const bodies = encodeBodies(16, 512);
const spans = 16 * 512;
const rate = (fn: () => void, rounds = 5) => {
  let best = 0;
  for (let r = 0; r < rounds; r++) {
    const t = performance.now();
    fn();
    best = Math.max(best, spans / ((performance.now() - t) / 1000));
  }
  return best;
};
const fast = rate(() => bodies.forEach((b) => ingestBody('traces', 'proto', b)));
const traceContext = () => ({ limits: defaultIngestLimits(20 << 20), report: new IngestReport(), nowNs: Date.now() * 1e6 });
const reference = rate(() => bodies.forEach((b) => fromObjects.traces(decodeProto('traces', b), traceContext())));
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
console.log(`hand-written decoder → RowBinary: ${fmt(fast)} spans/s (best of 5)`);
console.log(`protobufjs + object mapper → RowBinary (baseline): ${fmt(reference)} spans/s`);
console.log(`speed-up: ${(fast / reference).toFixed(1)}×`);
