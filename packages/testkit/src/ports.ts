import { mkdirSync, openSync, readFileSync, closeSync, unlinkSync, writeSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Loopback ports for the processes tests start, safe against two races that asking the kernel
 * for port 0 has when test files run side by side:
 * - a port the kernel hands out for listening is also one it hands out as the source port of
 *   outgoing connections (PostgreSQL, Kafka, HTTP), so a service started a moment later on it
 *   can fail with EADDRINUSE;
 * - a stack keeps a crashed service's port to restart it there, and another test file asking
 *   for a free port meanwhile can be given that very port.
 * So ports are picked below the kernel's ephemeral range, and each pick is reserved across
 * processes by a lock file naming the owner's pid, until released or the owner exits (a dead
 * owner's reservation is taken over).
 */

const RESERVATIONS = join(tmpdir(), 'bank-test-ports');
const LOWEST = 20_000;
const reservedHere = new Set<number>();

/** Distinct loopback ports, free now and reserved for this process until releasePorts(). */
export async function freePorts(count: number): Promise<number[]> {
  mkdirSync(RESERVATIONS, { recursive: true });
  const [low, high] = pickRange();
  const span = high - low + 1;
  const ports: number[] = [];
  const first = low + Math.floor(Math.random() * span);
  for (let i = 0; i < span && ports.length < count; i += 1) {
    const port = low + ((first - low + i) % span);
    if (await reservePort(port)) ports.push(port);
  }
  if (ports.length < count) {
    releasePorts(ports);
    throw new Error(`freePorts: only ${ports.length} of ${count} ports free in ${low}-${high}`);
  }
  return ports;
}

/** A loopback port, free now and reserved for this process until releasePorts(). */
export async function freePort(): Promise<number> {
  const [port] = await freePorts(1);
  if (port === undefined) throw new Error('no free port');
  return port;
}

/**
 * Reserves one given port for this process if it is free and no live process holds it (a dead
 * owner's reservation is taken over); false otherwise.
 */
export async function reservePort(port: number): Promise<boolean> {
  mkdirSync(RESERVATIONS, { recursive: true });
  if (!takeLock(port)) return false;
  if (await isPortFree(port)) return true;
  releasePorts([port]);
  return false;
}

/** Gives reserved ports back (their processes have stopped). */
export function releasePorts(ports: readonly number[]): void {
  for (const port of ports) {
    if (!reservedHere.delete(port)) continue;
    try {
      unlinkSync(lockFile(port));
    } catch {
      // already gone
    }
  }
}

/** True when nothing listens on the loopback port. */
export function isPortFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** From LOWEST up to just below the kernel's ephemeral range (Linux default 32768-60999). */
function pickRange(): [number, number] {
  let ephemeralLow = 32_768;
  try {
    const [low] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8')
      .trim()
      .split(/\s+/);
    if (Number(low) > LOWEST + 1000) ephemeralLow = Number(low);
  } catch {
    // not Linux: keep the default
  }
  return [LOWEST, ephemeralLow - 1];
}

function lockFile(port: number): string {
  return join(RESERVATIONS, String(port));
}

/** Takes the port's lock file, or a dead owner's; false when a live process holds it. */
function takeLock(port: number): boolean {
  if (reservedHere.has(port)) return false;
  for (let attempt = 0; attempt < 2; attempt += 1) {
    try {
      const fd = openSync(lockFile(port), 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      reservedHere.add(port);
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      if (ownerAlive(port)) return false;
      try {
        unlinkSync(lockFile(port));
      } catch {
        // another process took it over first
      }
    }
  }
  return false;
}

function ownerAlive(port: number): boolean {
  let pid: number;
  try {
    pid = Number(readFileSync(lockFile(port), 'utf8'));
  } catch {
    return false;
  }
  // An empty file is a reservation being written right now.
  if (!Number.isInteger(pid) || pid <= 0) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

process.once('exit', () => releasePorts([...reservedHere]));
