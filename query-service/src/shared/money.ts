import { formatAmount, isCurrency, type Currency } from '@bank/domain';
import { toBigInt } from '@bank/platform';

/** The views store currency codes the domain accepted; anything else is a broken row, not user input. */
export function currencyOf(code: string): Currency {
  if (!isCurrency(code))
    throw new Error(`read model holds an unknown currency ${JSON.stringify(code)}`);
  return code;
}

/** A pg int8 column (a string) as a decimal amount string, without passing through a JS number. */
export function formatMinor(value: unknown, currency: Currency): string {
  return formatAmount(toBigInt(value), currency);
}
