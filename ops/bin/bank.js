#!/usr/bin/env node
// The `bank` executable. A checked-in shim (executable in git) rather than dist/cli.js itself:
// tsc writes dist/cli.js without the executable bit, and npm links bins before the first build.
import '../dist/cli.js';
