// Encodes the request bodies of bench:ingest in a process of its own (the OpenTelemetry SDK stays out of the
// process whose memory the bench measures): `ingest-encode.ts <file> <bodies> <spans per body>` writes them as
// a JSON list of base64 strings.
import { writeFileSync } from 'node:fs';
import { encodeBodies } from './ingest-spans.ts';

const [file, bodies, spans] = process.argv.slice(2);
writeFileSync(file, JSON.stringify(encodeBodies(Number(bodies), Number(spans)).map((b) => b.toString('base64'))));
