// Preloaded into each service by scripts/start.mjs (node --import). The services run in process
// groups of their own, so nothing else stops them when start.mjs dies without stopping them (a
// SIGKILL, a crash): start.mjs holds this process's stdin open, and when it dies, however it
// dies, stdin ends and the service stops as on SIGTERM, gracefully.
const stop = () => process.kill(process.pid, 'SIGTERM');
process.stdin.once('end', stop);
process.stdin.once('error', stop);
process.stdin.resume();
// Watching stdin must not keep a service alive that has otherwise finished.
process.stdin.unref();
