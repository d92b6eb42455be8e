// A child process: the floor's back end. One grpc-js unary method that inserts an event-shaped
// row, group-committed (requests arriving while an INSERT is in flight go together in the next
// one, one transaction), and nothing else: no decision, no validation, no idempotency.
import * as grpc from '@grpc/grpc-js';
import pg from 'pg';
import { FLOOR_SERVICE, type FloorRow } from './floor-service.js';

const databaseUrl = process.env['DATABASE_URL'];
if (!databaseUrl) throw new Error('DATABASE_URL is not set');
const client = new pg.Client({ connectionString: databaseUrl });
await client.connect();
await client.query(`CREATE TABLE IF NOT EXISTS floor_inserts (
  id bigserial PRIMARY KEY, stream_id text NOT NULL, event_id uuid NOT NULL UNIQUE,
  data jsonb NOT NULL, metadata jsonb NOT NULL, recorded_at timestamptz NOT NULL DEFAULT now())`);

let pending: Array<{ row: FloorRow; done: (error: Error | null) => void }> = [];
let flushing = false;

async function flush(): Promise<void> {
  flushing = true;
  while (pending.length > 0) {
    const batch = pending;
    pending = [];
    const error = await client
      .query(
        `INSERT INTO floor_inserts (stream_id, event_id, data, metadata)
         SELECT * FROM jsonb_to_recordset($1::jsonb) AS r(stream_id text, event_id uuid, data jsonb, metadata jsonb)`,
        [JSON.stringify(batch.map((item) => item.row))],
      )
      .then(
        () => null,
        (caught: unknown) => (caught instanceof Error ? caught : new Error(String(caught))),
      );
    for (const item of batch) item.done(error);
  }
  flushing = false;
}

const server = new grpc.Server();
server.addService(FLOOR_SERVICE, {
  insert: (
    call: grpc.ServerUnaryCall<FloorRow, { ok: boolean }>,
    callback: grpc.sendUnaryData<{ ok: boolean }>,
  ) => {
    pending.push({
      row: call.request,
      done: (error) =>
        error
          ? callback({ code: grpc.status.INTERNAL, details: error.message })
          : callback(null, { ok: true }),
    });
    if (!flushing) void flush();
  },
});
const port = await new Promise<number>((resolve, reject) =>
  server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, bound) =>
    error ? reject(error) : resolve(bound),
  ),
);
process.stdout.write(`listening ${port}\n`);
process.on('SIGTERM', () =>
  server.tryShutdown(() => void client.end().then(() => process.exit(0))),
);
