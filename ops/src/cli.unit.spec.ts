import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { parseTimeFlag } from './cli/args.js';
import { EXIT, exitCodeOf, UsageError } from './cli/exit-codes.js';
import { readOpsConfig } from './config.js';
import { runCli } from './testing/harness.js';

describe('bank CLI', () => {
  it('prints help for the tool and every command, with the exit codes', async () => {
    for (const args of [
      ['--help'],
      ['replay', '--help'],
      ['rebuild', '--help'],
      ['verify', '--help'],
      ['status', '--help'],
      ['dlq', '--help'],
    ]) {
      const result = await runCli(args);
      assert.equal(result.code, 0, `${args.join(' ')}: ${result.stderr}`);
      assert.match(result.stdout, /Exit codes:/);
    }
  });

  it('exits 2 on usage errors, naming the problem', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['frobnicate'], /unknown command/],
      [['replay', '--bogus'], /Unknown option '--bogus'/],
      [['replay', '--from-position', 'x'], /--from-position must be a non-negative integer/],
      [['replay', '--since', 'yesterday'], /RFC 3339/],
      [['replay', '--to', 'kafka'], /--topic/],
      [['replay', '--to', 'fax'], /--to must be/],
      [['rebuild'], /which projection/],
      [['rebuild', 'ledgers'], /unknown projection/],
      [['verify', '--batch-size', '0'], /between 1/],
      [['status', '--log-level', 'loud'], /--log-level/],
    ];
    for (const [args, message] of cases) {
      const result = await runCli(args);
      assert.equal(result.code, EXIT.usage, `${args.join(' ')}: ${result.stderr}`);
      assert.match(result.stderr, message);
    }
  });

  it('exits 3 when PostgreSQL is unreachable', async () => {
    const result = await runCli(['verify'], {
      DATABASE_URL: 'postgres://postgres@127.0.0.1:1/test',
    });
    assert.equal(result.code, EXIT.unreachable, result.stderr);
    assert.match(result.stderr, /unreachable/);
  });

  it('exits 3 for a store that cannot serve or refuses the login, 1 for a failed statement', () => {
    const pgError = (code: string) => Object.assign(new Error(`failed: ${code}`), { code });
    for (const code of ['53300', '57P01', '08006', '3D000', '28P01', 'ECONNREFUSED']) {
      assert.equal(exitCodeOf(pgError(code)), EXIT.unreachable, code);
    }
    for (const code of ['57014', '40001', '23505', '42601']) {
      assert.equal(exitCodeOf(pgError(code)), EXIT.failed, code);
    }
    const wrapped = new Error('verify failed', { cause: pgError('53300') });
    assert.equal(exitCodeOf(wrapped), EXIT.unreachable);
  });

  it('reads the services’ variables, flags winning', () => {
    const env = {
      DATABASE_URL: 'postgres://a/b',
      KAFKA_BROKERS: 'k1:9092, k2:9092',
      KAFKA_TOPIC: 't',
      LOG_LEVEL: 'debug',
    };
    const config = readOpsConfig({}, env);
    assert.deepEqual(config.kafkaBrokers, ['k1:9092', 'k2:9092']);
    assert.equal(config.kafkaDlqTopic, 't.dlq');
    assert.equal(config.logLevel, 'debug');
    const flagged = readOpsConfig({ 'database-url': 'postgres://c/d', 'kafka-topic': 'u' }, env);
    assert.equal(flagged.databaseUrl, 'postgres://c/d');
    assert.equal(flagged.kafkaDlqTopic, 'u.dlq');
    assert.equal(
      exitCodeOf(
        (() => {
          try {
            readOpsConfig({}, { LOG_LEVEL: 'x' });
          } catch (e) {
            return e;
          }
        })(),
      ),
      EXIT.usage,
    );
  });

  it('parses RFC 3339 instants only', () => {
    assert.equal(
      parseTimeFlag('since', '2024-05-01T12:00:00.5+02:00')?.toISOString(),
      '2024-05-01T10:00:00.500Z',
    );
    assert.throws(() => parseTimeFlag('since', '2024-05-01'), UsageError);
  });
});
