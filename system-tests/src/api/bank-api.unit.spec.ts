import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { GENERATED_API_TYPES, generateApiTypes } from './generate.js';

describe('the typed API client', () => {
  it('has types generated from the document the gateway serves now', async () => {
    const committed = readFileSync(GENERATED_API_TYPES, 'utf8').split('\n');
    const fresh = (await generateApiTypes()).split('\n');
    const first = fresh.findIndex((line, i) => line !== committed[i]);
    const at = first === -1 && fresh.length !== committed.length ? fresh.length : first;
    assert.equal(
      at,
      -1,
      `${GENERATED_API_TYPES} is out of date with the gateway's /openapi.json from line ${at + 1} ` +
        `(generated: ${JSON.stringify(fresh[at])}, committed: ${JSON.stringify(committed[at])}); ` +
        'run `npm run api:gen`',
    );
  });
});
