import secureJson from 'secure-json-parse';
import { HttpProblem } from './problem.js';

/**
 * The gateway's JSON body parser. Beyond JSON.parse it refuses, each with its own message:
 * - `__proto__` and `constructor.prototype` keys (prototype poisoning);
 * - a key given twice in one object: parsers disagree on which one counts (JSON.parse takes the
 *   last), so a body that a proxy or an audit log reads one way must not be executed another.
 */
export function parseJsonBody(text: string): unknown {
  if (text.trim() === '') throw invalid('the body is empty; send a JSON object');
  let value: unknown;
  try {
    value = secureJson.parse(text, undefined, {
      protoAction: 'error',
      constructorAction: 'error',
    });
  } catch (error) {
    const forbidden = /forbidden prototype property/.test((error as Error).message);
    throw invalid(
      forbidden
        ? 'the body uses a forbidden property name (__proto__ or constructor.prototype)'
        : 'the body is not valid JSON',
    );
  }
  const repeated = repeatedKey(text);
  if (repeated !== undefined) {
    throw invalid(`the body gives the property ${JSON.stringify(repeated)} more than once`);
  }
  return value;
}

function invalid(message: string): HttpProblem {
  return new HttpProblem(400, 'VALIDATION_FAILED', message);
}

/**
 * The first key that appears twice in one object of a valid JSON text, if any. A single pass:
 * a stack with the keys seen in each open object (arrays hold none), a string in key position
 * (after `{` or after a `,` inside an object) being a key.
 */
export function repeatedKey(text: string): string | undefined {
  const stack: Array<Set<string> | undefined> = [];
  let expectKey = false;
  for (let i = 0; i < text.length; i += 1) {
    const c = text[i];
    if (c === '{') {
      stack.push(new Set());
      expectKey = true;
    } else if (c === '[') {
      stack.push(undefined);
      expectKey = false;
    } else if (c === '}' || c === ']') {
      stack.pop();
      expectKey = false;
    } else if (c === ',') {
      expectKey = stack.at(-1) !== undefined;
    } else if (c === ':') {
      expectKey = false;
    } else if (c === '"') {
      let end = i + 1;
      while (text[end] !== '"') end += text[end] === '\\' ? 2 : 1;
      const keys = stack.at(-1);
      if (expectKey && keys) {
        const key = JSON.parse(text.slice(i, end + 1)) as string;
        if (keys.has(key)) return key;
        keys.add(key);
      }
      i = end;
    }
  }
  return undefined;
}
