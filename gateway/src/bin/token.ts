#!/usr/bin/env node
// Mints a development bearer token (HS256 with JWT_SECRET, or the development secret):
//   npm run token -- --sub <id> --role <customer|teller|admin> [--role ...] [--ttl seconds]
import { parseArgs } from 'node:util';
import { mintDevelopmentToken } from '@bank/platform';
import { isRole, type Role } from '@bank/platform';
import { readGatewayConfig } from '../environment.js';

const usage =
  'usage: npm run token -- --sub <id> --role <customer|teller|admin> [--role <role>] [--ttl <seconds>]';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      sub: { type: 'string' },
      role: { type: 'string', multiple: true },
      ttl: { type: 'string', default: '3600' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(usage);
    return;
  }
  const roles = (values.role ?? ['customer']).flatMap((r) => r.split(',')).map((r) => r.trim());
  const bad = roles.filter((r) => !isRole(r));
  if (!values.sub || bad.length > 0 || !/^[0-9]+$/.test(values.ttl)) {
    console.error(bad.length > 0 ? `unknown role ${bad.join(', ')}\n${usage}` : usage);
    process.exit(2);
  }
  const config = readGatewayConfig();
  if (config.jwt.kind !== 'secret') {
    console.error(
      'token: the gateway verifies tokens with a public key here; mint them with your identity provider',
    );
    process.exit(2);
  }
  if (Number(values.ttl) > config.jwtMaxLifetimeSeconds) {
    console.error(
      `token: --ttl ${values.ttl} is longer than the gateway accepts ` +
        `(JWT_MAX_LIFETIME_SECONDS=${config.jwtMaxLifetimeSeconds})`,
    );
    process.exit(2);
  }
  const token = await mintDevelopmentToken({
    sub: values.sub,
    roles: roles as Role[],
    secret: config.jwt.secret,
    issuer: config.jwtIssuer,
    audience: config.jwtAudience,
    ttlSeconds: Number(values.ttl),
  });
  console.log(token);
}

main().catch((error: unknown) => {
  console.error(`token: ${(error as Error).message}`);
  process.exit(1);
});
