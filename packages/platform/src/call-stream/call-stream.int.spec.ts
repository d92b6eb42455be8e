// Unary calls on call streams, over a real grpc-js server on loopback: batching, answers and
// trailers, per-call deadlines, draining at shutdown, broken streams, and servers without it.
import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import { AppError } from '../errors.js';
import { fromServiceError, METADATA, unary } from '../grpc.js';
import { createLogger } from '../logger.js';
import { CallStreamClient, type UnaryFn } from './client.js';
import type { CallBatch, ResultBatch } from './frames.js';
import { CallStreamServer } from './server.js';

/** A test service: Echo answers its text after `delayMs`; text "refuse" is a business refusal. */
interface EchoRequest {
  readonly text: string;
  readonly delayMs?: number;
  /** What the call works on: the client's key for it (see `connect`). */
  readonly key?: string;
}
interface EchoReply {
  readonly text: string;
  readonly correlationId: string;
}

const json = {
  serialize: (value: unknown) => Buffer.from(JSON.stringify(value)),
  deserialize: (bytes: Buffer) => JSON.parse(bytes.toString()) as unknown,
};

const ECHO: grpc.ServiceDefinition = {
  Echo: {
    path: '/test.Echo/Echo',
    requestStream: false,
    responseStream: false,
    requestSerialize: json.serialize,
    requestDeserialize: json.deserialize,
    responseSerialize: json.serialize,
    responseDeserialize: json.deserialize,
  },
};

/** The frames as JSON, byte fields as base64 (the services use commands.proto's messages). */
const bytesOut = (key: string, value: unknown) =>
  (key === 'request' || key === 'response') && value && typeof value === 'object'
    ? Buffer.from((value as { data: number[] }).data).toString('base64')
    : value;
const bytesIn = (key: string, value: unknown) =>
  (key === 'request' || key === 'response') && typeof value === 'string'
    ? Buffer.from(value, 'base64')
    : value;
const frameCodec = {
  serialize: (value: unknown) => Buffer.from(JSON.stringify(value, bytesOut)),
  deserialize: (bytes: Buffer) => JSON.parse(bytes.toString(), bytesIn) as unknown,
};
const CALLS: grpc.ServiceDefinition = {
  Calls: {
    path: '/test.EchoCalls/Calls',
    requestStream: true,
    responseStream: true,
    requestSerialize: frameCodec.serialize,
    requestDeserialize: frameCodec.deserialize,
    responseSerialize: frameCodec.serialize,
    responseDeserialize: frameCodec.deserialize,
  },
};

const logger = createLogger({ service: 'test', level: 'silent' });
const echoHandlers = {
  Echo: unary<EchoRequest, EchoReply>(
    'Echo',
    async (request, context) => {
      if (request.delayMs) await new Promise((resolve) => setTimeout(resolve, request.delayMs));
      if (request.text === 'refuse') {
        throw new AppError('business', 'INSUFFICIENT_FUNDS', 'available balance is too low', {
          field: 'amount',
        });
      }
      return { text: request.text, correlationId: context.correlationId };
    },
    { logger },
  ),
};

interface TestServer {
  readonly port: number;
  readonly calls: CallStreamServer;
  readonly server: grpc.Server;
}

async function startServer(withCalls = true): Promise<TestServer> {
  const server = new grpc.Server();
  const calls = new CallStreamServer(ECHO, echoHandlers);
  server.addService(ECHO, echoHandlers);
  if (withCalls) server.addService(CALLS, { Calls: calls.handle });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, bound) =>
      error ? reject(error) : resolve(bound),
    ),
  );
  return { port, calls, server };
}

const EchoClient = grpc.makeGenericClientConstructor(ECHO, 'Echo');
const CallsClient = grpc.makeGenericClientConstructor(CALLS, 'EchoCalls');

interface TestClient {
  readonly echo: (
    request: EchoRequest,
    timeoutMs?: number,
    correlationId?: string,
  ) => Promise<EchoReply>;
  /** Streams opened, and messages written on them. */
  readonly opened: () => number;
  readonly written: () => number;
  /** Calls per message, as the client reports them to its `onMessage` hook. */
  readonly reported: () => readonly number[];
  /** The stream (numbered from 1 as opened) each call's text travelled on. */
  readonly streamOf: (text: string) => number | undefined;
  close(): void;
}

function connect(port: number, options: { streams?: number; maxAgeMs?: number } = {}): TestClient {
  const target = `127.0.0.1:${port}`;
  const credentials = grpc.credentials.createInsecure();
  const unaryClient = new EchoClient(target, credentials);
  const callsClient = new CallsClient(target, credentials);
  let opened = 0;
  let written = 0;
  const reported: number[] = [];
  const streams = new Map<string, number>();
  const client = new CallStreamClient({
    open: () => {
      const number = ++opened;
      const stream = (
        callsClient as unknown as { Calls: () => grpc.ClientDuplexStream<CallBatch, ResultBatch> }
      ).Calls();
      const write = stream.write.bind(stream);
      stream.write = ((chunk: CallBatch, ...rest: unknown[]) => {
        written++;
        for (const call of chunk.calls) {
          if (!call.cancel)
            streams.set((json.deserialize(call.request) as EchoRequest).text, number);
        }
        return (write as (...args: unknown[]) => boolean)(chunk, ...rest);
      }) as typeof stream.write;
      return stream;
    },
    streams: options.streams ?? 1,
    maxAgeMs: options.maxAgeMs ?? 60_000,
    onMessage: (calls) => reported.push(calls),
  });
  const plain = (unaryClient as unknown as Record<string, UnaryFn>)['Echo'] as UnaryFn;
  const fn = client.method(
    'Echo',
    json.serialize,
    json.deserialize,
    plain.bind(unaryClient),
    (request) => (request as EchoRequest).key,
  );
  return {
    echo: (request, timeoutMs = 5000, correlationId = 'c-1') =>
      new Promise((resolve, reject) => {
        const metadata = new grpc.Metadata();
        metadata.set(METADATA.correlationId, correlationId);
        fn(request, metadata, { deadline: Date.now() + timeoutMs }, (error, response) =>
          error ? reject(error) : resolve(response as EchoReply),
        );
      }),
    opened: () => opened,
    written: () => written,
    reported: () => reported,
    streamOf: (text) => streams.get(text),
    close: () => {
      client.close();
      unaryClient.close();
      callsClient.close();
    },
  };
}

describe('call streams', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer();
  });
  after(() => server.server.forceShutdown());

  it('sends the calls of one turn as one message and answers each with its own response', async () => {
    const client = connect(server.port);
    try {
      const texts = Array.from({ length: 20 }, (_, i) => `call ${i}`);
      const replies = await Promise.all(
        texts.map((text, i) => client.echo({ text }, 5000, `c-${i}`)),
      );
      assert.deepEqual(
        replies.map((reply) => reply.text),
        texts,
      );
      // Each call's own metadata reached its handler.
      assert.deepEqual(
        replies.map((reply) => reply.correlationId),
        texts.map((_, i) => `c-${i}`),
      );
      assert.equal(client.opened(), 1);
      assert.equal(client.written(), 1, 'twenty calls made in one turn travel as one message');
      assert.deepEqual(client.reported(), [20]);
    } finally {
      client.close();
    }
  });

  it('answers a refusal with its status and trailers, as the unary RPC does', async () => {
    const client = connect(server.port);
    try {
      const error = await client.echo({ text: 'refuse' }).then(
        () => assert.fail('the refusal was answered as a success'),
        (failure: grpc.ServiceError) => failure,
      );
      assert.equal(error.code, grpc.status.FAILED_PRECONDITION);
      const appError = fromServiceError(error);
      assert.equal(appError.code, 'INSUFFICIENT_FUNDS');
      assert.equal(appError.message, 'available balance is too low');
      assert.equal(appError.details.field, 'amount');
      assert.equal(error.metadata.get(METADATA.errorReason)[0], 'INSUFFICIENT_FUNDS');
    } finally {
      client.close();
    }
  });

  it('keeps each call its own deadline: a slow call expires, the others on the stream answer', async () => {
    const client = connect(server.port);
    try {
      const started = Date.now();
      const [slow, fast] = await Promise.allSettled([
        client.echo({ text: 'slow', delayMs: 1500 }, 200),
        client.echo({ text: 'fast' }, 5000),
      ]);
      assert.equal(slow.status, 'rejected');
      assert.equal((slow.reason as grpc.ServiceError).code, grpc.status.DEADLINE_EXCEEDED);
      assert.ok(Date.now() - started < 1200, 'the slow call failed at its deadline, not after');
      assert.equal(fast.status, 'fulfilled');
      // The stream still carries calls after one expired.
      assert.equal((await client.echo({ text: 'after' })).text, 'after');
      assert.equal(client.opened(), 1);
    } finally {
      client.close();
    }
  });

  it('sends calls with the same key on the same stream, calls without one in turn', async () => {
    const client = connect(server.port, { streams: 4 });
    try {
      const keys = Array.from({ length: 16 }, (_, i) => `account-${i}`);
      const keyed = keys.flatMap((key) => [1, 2, 3].map((n) => ({ text: `${key} #${n}`, key })));
      const loose = Array.from({ length: 8 }, (_, i) => ({ text: `loose ${i}` }));
      await Promise.all([...keyed, ...loose].map((request) => client.echo(request)));
      // A second round, in later turns: each key keeps its stream.
      for (const key of keys) await client.echo({ text: `${key} later`, key });
      assert.equal(client.opened(), 4);
      const streamsOfKey = keys.map(
        (key) =>
          new Set(
            [1, 2, 3, 'later'].map((n) =>
              client.streamOf(n === 'later' ? `${key} later` : `${key} #${n}`),
            ),
          ),
      );
      for (const [i, streams] of streamsOfKey.entries()) {
        assert.equal(streams.size, 1, `${keys[i]} went on streams ${[...streams].join(', ')}`);
      }
      assert.ok(
        new Set(streamsOfKey.map((streams) => [...streams][0])).size > 1,
        'the keys spread over the streams',
      );
      assert.deepEqual(
        new Set(loose.map(({ text }) => client.streamOf(text))),
        new Set([1, 2, 3, 4]),
        'calls without a key take the streams in turn',
      );
    } finally {
      client.close();
    }
  });

  it('opens a new stream once a stream is older than its maximum age', async () => {
    const client = connect(server.port, { maxAgeMs: 50 });
    try {
      await client.echo({ text: 'one' });
      await new Promise((resolve) => setTimeout(resolve, 80));
      await client.echo({ text: 'two' });
      assert.equal(client.opened(), 2);
    } finally {
      client.close();
    }
  });
});

describe('call streams at shutdown and failure', () => {
  it('draining: a call in flight is answered, new calls get UNAVAILABLE, the stream ends', async () => {
    const server = await startServer();
    const client = connect(server.port);
    try {
      await client.echo({ text: 'warm' });
      const inFlight = client.echo({ text: 'in flight', delayMs: 300 });
      await new Promise((resolve) => setTimeout(resolve, 50));
      server.calls.drain();
      const refused = await client.echo({ text: 'late' }).then(
        () => assert.fail('a call reached a draining server'),
        (failure: grpc.ServiceError) => failure,
      );
      assert.equal(refused.code, grpc.status.UNAVAILABLE);
      assert.equal((await inFlight).text, 'in flight');
      // The drained stream ended: the next call opens another (refused too, the server drains).
      await new Promise((resolve) => setTimeout(resolve, 50));
      await client.echo({ text: 'next' }).catch(() => undefined);
      assert.equal(client.opened(), 2);
    } finally {
      client.close();
      server.server.forceShutdown();
    }
  });

  it('a stream that breaks fails its calls with UNAVAILABLE', async () => {
    const server = await startServer();
    const client = connect(server.port);
    try {
      await client.echo({ text: 'warm' });
      const pending = client.echo({ text: 'lost', delayMs: 1000 }, 5000);
      await new Promise((resolve) => setTimeout(resolve, 50));
      server.server.forceShutdown();
      const error = await pending.then(
        () => assert.fail('the call was answered by a server that is gone'),
        (failure: grpc.ServiceError) => failure,
      );
      assert.equal(error.code, grpc.status.UNAVAILABLE);
    } finally {
      client.close();
    }
  });

  it('a server without the call-stream RPC gets plain unary calls', async () => {
    const server = await startServer(false);
    const client = connect(server.port);
    try {
      const replies = await Promise.all([client.echo({ text: 'a' }), client.echo({ text: 'b' })]);
      assert.deepEqual(
        replies.map((reply) => reply.text),
        ['a', 'b'],
      );
      assert.equal((await client.echo({ text: 'c' })).text, 'c');
      assert.equal(client.opened(), 1, 'the stream was tried once, then left alone');
    } finally {
      client.close();
      server.server.forceShutdown();
    }
  });
});
