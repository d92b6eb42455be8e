/**
 * The Redis the gateways share state through in tests: REDIS_URL, else the machine's own server
 * on the default port (.ci/run starts it when it is down).
 */
export function redisUrl(): string {
  return process.env['REDIS_URL']?.trim() || 'redis://127.0.0.1:6379';
}
