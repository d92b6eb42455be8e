import { strict as assert } from 'node:assert';
import { before, describe, it } from 'node:test';
import SwaggerParser from '@apidevtools/swagger-parser';
import {
  CODES_NO_OPERATION_RETURNS,
  PROBLEM_STATUS,
  type ProblemCode,
} from './http/problem-codes.js';
import { servedDocument } from './testing/harness.js';

interface Operation {
  operationId?: string;
  description?: string;
  parameters?: { name: string; in: string; schema?: unknown }[];
  requestBody?: {
    required?: boolean;
    content: Record<string, { schema: { required?: string[] } }>;
  };
  responses: Record<
    string,
    { description: string; content?: Record<string, { schema: { $ref?: string } }> }
  >;
  'x-problem-codes'?: ProblemCode[];
}
interface SchemaObject {
  description?: string;
  required?: string[];
  properties?: Record<string, unknown>;
}
type Document = {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, SchemaObject> };
};

/** The served /openapi.json: valid OpenAPI 3.1, one operationId each, every problem code listed. */
describe('OpenAPI document', () => {
  let served: Document;
  const operations = () =>
    Object.entries(served.paths).flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, operation]) => ({ path, method, operation })),
    );
  const api = () => operations().filter(({ path }) => path.startsWith('/v1/'));

  before(async () => {
    served = await servedDocument<Document>();
  });

  it('validates against the OpenAPI 3.1 schema', async () => {
    await SwaggerParser.validate(structuredClone(served) as never);
  });

  it('gives every operation a unique operationId', () => {
    const ids = api().map(({ operation }) => operation.operationId);
    assert.ok(
      ids.every((id) => typeof id === 'string' && id !== ''),
      'every /v1 operation has an operationId',
    );
    assert.equal(new Set(ids).size, ids.length, `duplicate operationIds in ${ids.join(', ')}`);
  });

  it('lists only parameters that exist', () => {
    for (const path of ['/v1/accounts/{id}', '/v1/transfers/{id}']) {
      const names = (served.paths[path]?.['get']?.parameters ?? [])
        .filter((p) => p.in !== 'header')
        .map((p) => `${p.in}:${p.name}`);
      assert.deepEqual(names, ['path:id'], path);
    }
    for (const { path, method, operation } of api()) {
      for (const parameter of operation.parameters ?? []) {
        assert.equal(
          typeof parameter.schema,
          'object',
          `${method} ${path} ${parameter.name} has a schema object`,
        );
      }
    }
  });

  it('marks a body optional exactly when it has no required field', () => {
    const optional = api()
      .filter(({ operation }) => operation.requestBody?.required === false)
      .map(({ operation }) => operation.operationId)
      .sort();
    assert.deepEqual(optional, [
      'captureHold',
      'closeAccount',
      'freezeAccount',
      'releaseHold',
      'reverseTransfer',
      'unfreezeAccount',
    ]);
  });

  it('states the partial-capture rule on the capture and answers what it released', () => {
    const capture = served.paths['/v1/accounts/{id}/holds/{holdId}/capture']?.['post'];
    assert.match(capture?.description ?? '', /partial capture releases the rest of the hold/);
    const ref = capture?.responses['200']?.content?.['application/json']?.schema.$ref ?? '';
    const name = ref.split('/').at(-1) ?? '';
    const result = served.components.schemas[name];
    assert.deepEqual(result?.properties?.['released'], { $ref: '#/components/schemas/Amount' });
    assert.ok(result?.required?.includes('released'), 'every capture answers `released`');
    assert.match(result?.description ?? '', /rest of the hold after a partial capture/);
  });

  it('lists every code of the catalogue on the operations, each under its status', () => {
    const listed = new Set<ProblemCode>();
    for (const { path, method, operation } of api()) {
      const codes = operation['x-problem-codes'] ?? [];
      assert.ok(codes.length > 0, `${method} ${path} lists its problem codes`);
      for (const code of codes) {
        assert.ok(code in PROBLEM_STATUS, `${code} on ${method} ${path} is in the catalogue`);
        listed.add(code);
        const response = operation.responses[String(PROBLEM_STATUS[code])];
        assert.ok(
          response?.description.includes(code),
          `${method} ${path}: the ${PROBLEM_STATUS[code]} response names ${code}`,
        );
      }
    }
    const unlisted = (Object.keys(PROBLEM_STATUS) as ProblemCode[]).filter(
      (code) => !listed.has(code) && !(code in CODES_NO_OPERATION_RETURNS),
    );
    assert.deepEqual(unlisted, [], 'codes of the catalogue that no operation lists');
    for (const code of Object.keys(CODES_NO_OPERATION_RETURNS) as ProblemCode[]) {
      assert.ok(!listed.has(code), `${code} is listed on an operation, yet said to be on none`);
    }
  });
});
