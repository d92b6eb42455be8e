import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  CURRENCY_EXPONENTS,
  MAX_AMOUNT_MINOR,
  currencyExponent,
  formatAmount,
  isCurrency,
  parseAmount,
  type Currency,
  type MoneyParseError,
} from './money.js';

const CURRENCIES = Object.keys(CURRENCY_EXPONENTS) as Currency[];

function minor(
  text: string,
  currency: string,
  options?: { allowZero?: boolean; max?: bigint },
): bigint {
  const result = parseAmount(text, currency, options);
  if (!result.ok) assert.fail(`expected ${text} ${currency} to parse, got ${result.error.kind}`);
  return result.minor;
}

function errorKind(
  text: string,
  currency: string,
  options?: { allowZero?: boolean; max?: bigint },
): MoneyParseError['kind'] {
  const result = parseAmount(text, currency, options);
  if (result.ok)
    assert.fail(`expected ${JSON.stringify(text)} ${currency} to be rejected, got ${result.minor}`);
  return result.error.kind;
}

describe('currency exponents (ISO 4217)', () => {
  it('are 2 for USD/EUR/GBP, 0 for JPY/VND, 3 for BHD', () => {
    assert.equal(currencyExponent('USD'), 2);
    assert.equal(currencyExponent('EUR'), 2);
    assert.equal(currencyExponent('GBP'), 2);
    assert.equal(currencyExponent('JPY'), 0);
    assert.equal(currencyExponent('VND'), 0);
    assert.equal(currencyExponent('BHD'), 3);
  });

  it('isCurrency knows the table and nothing inherited', () => {
    assert.ok(isCurrency('USD'));
    assert.ok(!isCurrency('usd'));
    assert.ok(!isCurrency('XXX'));
    assert.ok(!isCurrency('toString'));
    assert.ok(!isCurrency('__proto__'));
  });
});

describe('parseAmount', () => {
  it('reads minor units per exponent', () => {
    assert.equal(minor('12.34', 'USD'), 1234n);
    assert.equal(minor('12.3', 'EUR'), 1230n);
    assert.equal(minor('12', 'GBP'), 1200n);
    assert.equal(minor('0.01', 'USD'), 1n);
    assert.equal(minor('1500', 'JPY'), 1500n);
    assert.equal(minor('20000', 'VND'), 20000n);
    assert.equal(minor('1.234', 'BHD'), 1234n);
    assert.equal(minor('0.001', 'BHD'), 1n);
    assert.equal(minor('7.5', 'BHD'), 7500n);
  });

  it('rejects more decimals than the currency has', () => {
    assert.equal(errorKind('1.234', 'USD'), 'TOO_MANY_DECIMALS');
    assert.equal(errorKind('1.5', 'JPY'), 'TOO_MANY_DECIMALS');
    assert.equal(errorKind('1.0', 'JPY'), 'TOO_MANY_DECIMALS');
    assert.equal(errorKind('1.2345', 'BHD'), 'TOO_MANY_DECIMALS');
    assert.equal(errorKind('0.001', 'EUR'), 'TOO_MANY_DECIMALS');
  });

  it('rejects signs, exponents, spaces, leading zeros and other non-decimals', () => {
    for (const text of [
      '-1',
      '-0.01',
      '+1',
      '1e3',
      '1E3',
      '1.5e2',
      ' 1',
      '1 ',
      '1 000',
      '01',
      '00.5',
      '007',
      '',
      '.',
      '.5',
      '1.',
      '1,5',
      '1.2.3',
      'NaN',
      'Infinity',
      '0x10',
      '１',
      '1_000',
    ]) {
      assert.equal(errorKind(text, 'USD'), 'NOT_A_DECIMAL', `for ${JSON.stringify(text)}`);
    }
  });

  it('rejects zero unless asked to allow it (limits may be zero, amounts not)', () => {
    assert.equal(errorKind('0', 'USD'), 'NOT_POSITIVE');
    assert.equal(errorKind('0.00', 'USD'), 'NOT_POSITIVE');
    assert.equal(errorKind('0', 'JPY'), 'NOT_POSITIVE');
    assert.equal(minor('0', 'USD', { allowZero: true }), 0n);
    assert.equal(minor('0.00', 'USD', { allowZero: true }), 0n);
  });

  it('accepts MAX_AMOUNT_MINOR and rejects anything above it, however long', () => {
    assert.equal(minor('10000000000000.00', 'USD'), MAX_AMOUNT_MINOR);
    assert.equal(minor('1000000000000000', 'JPY'), MAX_AMOUNT_MINOR);
    assert.equal(minor('1000000000000.000', 'BHD'), MAX_AMOUNT_MINOR);
    assert.equal(errorKind('10000000000000.01', 'USD'), 'TOO_LARGE');
    assert.equal(errorKind('1000000000000001', 'JPY'), 'TOO_LARGE');
    assert.equal(errorKind('9'.repeat(40), 'USD'), 'TOO_LARGE');
    assert.equal(errorKind('1' + '0'.repeat(10_000), 'JPY'), 'TOO_LARGE');
  });

  it('honours a custom maximum', () => {
    assert.equal(minor('5.00', 'USD', { max: 500n }), 500n);
    assert.equal(errorKind('5.01', 'USD', { max: 500n }), 'TOO_LARGE');
    assert.equal(errorKind('50', 'USD', { max: 500n }), 'TOO_LARGE');
  });

  it('rejects an unknown currency before looking at the amount', () => {
    assert.equal(errorKind('1.00', 'XXX'), 'UNKNOWN_CURRENCY');
    assert.equal(errorKind('1.00', 'usd'), 'UNKNOWN_CURRENCY');
    assert.equal(errorKind('1.00', ''), 'UNKNOWN_CURRENCY');
    assert.equal(errorKind('nonsense', 'constructor'), 'UNKNOWN_CURRENCY');
  });
});

describe('formatAmount', () => {
  it('writes exactly the currency decimals', () => {
    assert.equal(formatAmount(1234n, 'USD'), '12.34');
    assert.equal(formatAmount(1n, 'USD'), '0.01');
    assert.equal(formatAmount(0n, 'USD'), '0.00');
    assert.equal(formatAmount(1200n, 'EUR'), '12.00');
    assert.equal(formatAmount(1500n, 'JPY'), '1500');
    assert.equal(formatAmount(0n, 'VND'), '0');
    assert.equal(formatAmount(1n, 'BHD'), '0.001');
    assert.equal(formatAmount(MAX_AMOUNT_MINOR, 'USD'), '10000000000000.00');
  });

  it('writes negative balances with a leading minus', () => {
    assert.equal(formatAmount(-1n, 'USD'), '-0.01');
    assert.equal(formatAmount(-1234n, 'USD'), '-12.34');
    assert.equal(formatAmount(-5n, 'JPY'), '-5');
  });

  it('round-trips through parseAmount', () => {
    for (const [text, currency] of [
      ['12.34', 'USD'],
      ['0.01', 'GBP'],
      ['1500', 'JPY'],
      ['0.001', 'BHD'],
      ['10000000000000.00', 'EUR'],
    ] as const) {
      assert.equal(formatAmount(minor(text, currency), currency), text);
    }
  });
});

describe('money properties', () => {
  const currency = fc.constantFrom(...CURRENCIES);

  it('parse(format(x)) === x for every x in 0..MAX and every currency', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: MAX_AMOUNT_MINOR }), currency, (x, c) => {
        const result = parseAmount(formatAmount(x, c), c, { allowZero: true });
        return result.ok && result.minor === x;
      }),
      { numRuns: 2000 },
    );
  });

  it('format never leaves more decimals than the exponent, and parse rejects one more', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 1n, max: MAX_AMOUNT_MINOR }), currency, (x, c) => {
        const text = formatAmount(x, c);
        const decimals = text.includes('.') ? text.length - text.indexOf('.') - 1 : 0;
        assert.equal(decimals, CURRENCY_EXPONENTS[c]);
        const longer = `${text}${text.includes('.') ? '' : '.'}0`;
        assert.equal(errorKind(longer, c), 'TOO_MANY_DECIMALS');
      }),
    );
  });

  it('parse never accepts a number above the maximum', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: MAX_AMOUNT_MINOR + 1n, max: MAX_AMOUNT_MINOR * 1000n }),
        currency,
        (x, c) => {
          assert.equal(errorKind(formatAmount(x, c), c), 'TOO_LARGE');
        },
      ),
    );
  });
});
