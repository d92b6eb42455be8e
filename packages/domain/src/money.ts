/**
 * Money is an integer count of minor units (bigint). Decimal strings exist only at the edges,
 * and are parsed and formatted here, exactly, without floating point.
 */

/** ISO 4217 minor-unit exponents of the currencies the bank holds. */
export const CURRENCY_EXPONENTS = {
  USD: 2,
  EUR: 2,
  GBP: 2,
  CHF: 2,
  CAD: 2,
  AUD: 2,
  SEK: 2,
  NOK: 2,
  DKK: 2,
  PLN: 2,
  JPY: 0,
  KRW: 0,
  VND: 0,
  BHD: 3,
  KWD: 3,
} as const;

export type Currency = keyof typeof CURRENCY_EXPONENTS;

/** The largest amount any single command may move: 10^15 minor units. */
export const MAX_AMOUNT_MINOR = 1_000_000_000_000_000n;

/**
 * The largest balance a deposit or an incoming transfer may leave: 10^18 minor units. The read
 * models, the wire and every store keep balances as 64-bit integers (at most ~9.22 × 10^18), so
 * money past this line is refused up front rather than accepted and then unstorable. Refunds
 * are never refused (the money must land somewhere): each returns at most one amount taken from
 * this account a moment before, so a balance stays far inside 64 bits.
 */
export const MAX_BALANCE_MINOR = 1_000_000_000_000_000_000n;

export function isCurrency(code: string): code is Currency {
  return Object.prototype.hasOwnProperty.call(CURRENCY_EXPONENTS, code);
}

export function currencyExponent(currency: Currency): number {
  return CURRENCY_EXPONENTS[currency];
}

export type MoneyParseError =
  | { readonly kind: 'NOT_A_DECIMAL'; readonly message: string }
  | { readonly kind: 'TOO_MANY_DECIMALS'; readonly message: string }
  | { readonly kind: 'NOT_POSITIVE'; readonly message: string }
  | { readonly kind: 'TOO_LARGE'; readonly message: string }
  | { readonly kind: 'UNKNOWN_CURRENCY'; readonly message: string };

export type MoneyParseResult =
  | { readonly ok: true; readonly minor: bigint }
  | { readonly ok: false; readonly error: MoneyParseError };

const DECIMAL = /^(0|[1-9][0-9]*)(?:\.([0-9]+))?$/;

/**
 * Parses a decimal string such as "12.34" into minor units of `currency`.
 * Accepts no sign, exponent, spaces or leading zeros; rejects more decimals than the
 * currency has. `allowZero` is for limits (an overdraft limit may be 0), not for amounts.
 */
export function parseAmount(
  text: string,
  currency: string,
  options: { allowZero?: boolean; max?: bigint } = {},
): MoneyParseResult {
  if (!isCurrency(currency)) {
    return fail('UNKNOWN_CURRENCY', `unknown currency ${JSON.stringify(currency)}`);
  }
  const match = DECIMAL.exec(text);
  if (!match) {
    return fail(
      'NOT_A_DECIMAL',
      `amount must be a decimal string like "12.34", got ${JSON.stringify(text)}`,
    );
  }
  const exponent = CURRENCY_EXPONENTS[currency];
  const whole = match[1] ?? '0';
  const fraction = match[2] ?? '';
  if (fraction.length > exponent) {
    return fail('TOO_MANY_DECIMALS', `${currency} amounts have at most ${exponent} decimal places`);
  }
  const max = options.max ?? MAX_AMOUNT_MINOR;
  const tooLarge = (): MoneyParseResult =>
    fail('TOO_LARGE', `amount exceeds the maximum of ${formatAmount(max, currency)} ${currency}`);
  // More whole digits than the maximum has is too large: say so without building a huge bigint.
  if (whole.length > max.toString().length) return tooLarge();
  const minor = BigInt(whole + fraction.padEnd(exponent, '0'));
  if (minor === 0n && !options.allowZero)
    return fail('NOT_POSITIVE', 'amount must be greater than zero');
  if (minor > max) return tooLarge();
  return { ok: true, minor };
}

/** Formats minor units as a decimal string with exactly the currency's decimals. */
export function formatAmount(minor: bigint, currency: Currency): string {
  const exponent = CURRENCY_EXPONENTS[currency];
  const negative = minor < 0n;
  const digits = (negative ? -minor : minor).toString().padStart(exponent + 1, '0');
  const whole = digits.slice(0, digits.length - exponent);
  const fraction = digits.slice(digits.length - exponent);
  return `${negative ? '-' : ''}${whole}${exponent > 0 ? `.${fraction}` : ''}`;
}

function fail(kind: MoneyParseError['kind'], message: string): MoneyParseResult {
  return { ok: false, error: { kind, message } };
}
