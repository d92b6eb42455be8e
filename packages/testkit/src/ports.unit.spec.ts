import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { freePorts, isPortFree, releasePorts, reservePort } from './ports.js';

const lockFile = (port: number): string => join(tmpdir(), 'bank-test-ports', String(port));

describe('freePorts', () => {
  it('reserves distinct free ports below the ephemeral range until released', async () => {
    const ports = await freePorts(6);
    try {
      assert.equal(new Set(ports).size, 6);
      for (const port of ports) {
        assert.ok(port >= 20_000 && port < 32_768, `${port} is outside 20000-32767`);
        assert.equal(await isPortFree(port), true);
        assert.equal(readFileSync(lockFile(port), 'utf8'), String(process.pid));
      }
      const more = await freePorts(6);
      assert.deepEqual(
        more.filter((port) => ports.includes(port)),
        [],
        'a reserved port is not handed out again',
      );
      releasePorts(more);
    } finally {
      releasePorts(ports);
    }
    for (const port of ports) assert.equal(existsSync(lockFile(port)), false);
  });

  it("skips a live process's reservation and takes over a dead one's", async () => {
    const [port] = await freePorts(1);
    assert.ok(port !== undefined);
    releasePorts([port]);
    const other = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)']);
    try {
      writeFileSync(lockFile(port), String(other.pid));
      assert.equal(await reservePort(port), false, 'the live reservation was taken');
      assert.equal(readFileSync(lockFile(port), 'utf8'), String(other.pid));
    } finally {
      other.kill('SIGKILL');
      await new Promise((resolve) => other.once('exit', resolve));
    }
    try {
      assert.equal(await reservePort(port), true, "the dead owner's reservation was not taken");
      assert.equal(readFileSync(lockFile(port), 'utf8'), String(process.pid));
    } finally {
      releasePorts([port]);
    }
  });

  it('skips a port something already listens on, and gives its lock back', async () => {
    const [port] = await freePorts(1);
    assert.ok(port !== undefined);
    releasePorts([port]);
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    try {
      assert.equal(await reservePort(port), false);
      assert.equal(existsSync(lockFile(port)), false);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
