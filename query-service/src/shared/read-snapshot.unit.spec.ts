import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { AppError } from '@bank/platform';
import { translateDatabaseError } from './read-snapshot.js';

describe('translateDatabaseError', () => {
  const pgError = (code: string) => Object.assign(new Error(`failed: ${code}`), { code });
  const codeOf = (error: unknown) => (error instanceof AppError ? error.code : undefined);

  it('answers UNAVAILABLE for a server that cannot serve now, too many connections among them', () => {
    for (const code of ['53300', '57P01', '08006', 'ECONNREFUSED', '40001']) {
      assert.equal(codeOf(translateDatabaseError(pgError(code))), 'UNAVAILABLE', code);
    }
  });

  it('answers DEADLINE_EXCEEDED for a canceled statement, anything else unchanged', () => {
    assert.equal(codeOf(translateDatabaseError(pgError('57014'))), 'DEADLINE_EXCEEDED');
    for (const code of ['42601', '28000']) {
      const error = pgError(code);
      assert.equal(translateDatabaseError(error), error, code);
    }
  });
});
