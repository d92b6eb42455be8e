// A child process: the floor's edge. Fastify answers POST /floor by one grpc-js unary call to the
// floor's back end, as the gateway calls the command service; no auth, no validation.
import * as grpc from '@grpc/grpc-js';
import Fastify from 'fastify';
import { eventShapedRow } from './event-row.js';
import { FLOOR_SERVICE } from './floor-service.js';

const address = process.env['FLOOR_GRPC_ADDRESS'];
if (!address) throw new Error('FLOOR_GRPC_ADDRESS is not set');
const Floor = grpc.makeGenericClientConstructor(FLOOR_SERVICE, 'Floor');
const client = new Floor(address, grpc.credentials.createInsecure()) as unknown as {
  insert(
    request: unknown,
    options: grpc.CallOptions,
    callback: (error: grpc.ServiceError | null) => void,
  ): void;
};

const app = Fastify({ logger: false });
app.post<{ Body: { amount?: string } }>('/floor', (request, reply) => {
  client.insert(
    eventShapedRow(request.body.amount ?? '0'),
    { deadline: new Date(Date.now() + 10_000) },
    (error) => {
      if (error) void reply.code(503).send({ error: error.details });
      else void reply.code(201).send({ ok: true });
    },
  );
  return reply;
});
await app.listen({ host: '127.0.0.1', port: 0 });
const bound = app.server.address();
process.stdout.write(`listening ${typeof bound === 'object' && bound ? bound.port : 0}\n`);
process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
