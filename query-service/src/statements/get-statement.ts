import type { queryTypes } from '@bank/proto';
import { formatAmount } from '@bank/domain';
import { toBigInt, type UnaryHandler } from '@bank/platform';
import type { StoredLedgerEntryRow } from '@bank/read-models';
import { loadVisibleAccount } from '../accounts/account-queries.js';
import type { QueryDeps } from '../query-deps.js';
import { currencyOf } from '../shared/money.js';
import { parseReadOptions } from '../shared/read-options.js';
import { readSnapshot } from '../shared/read-snapshot.js';
import { requireUuid } from '../shared/validation.js';
import { toLedgerEntryMessage } from '../transactions/ledger-entry-row.js';
import { parseStatementPeriod } from './statement-period.js';
import { openingEntryQuery, statementEntriesQuery } from './statement-queries.js';
import { statementTotals } from './statement-totals.js';

export function getStatement(
  deps: QueryDeps,
): UnaryHandler<queryTypes.GetStatementRequest__Output, queryTypes.Statement> {
  return async (request, context) => {
    const options = parseReadOptions(request.options);
    const accountId = requireUuid(request.accountId, 'account_id');
    const period = parseStatementPeriod(request.from, request.to);
    await deps.consistency.awaitPosition(options.consistencyPosition, context);
    // One snapshot: the opening balance and the entries must come from the same state of the ledger.
    const { account, opening, entries } = await readSnapshot(
      deps.knex,
      context.deadline,
      async (db) => {
        const account = await loadVisibleAccount(db, accountId, options.restrictToOwner);
        const before = (await openingEntryQuery(db, accountId, period.startsAt)) as {
          balance_after: string;
        }[];
        const entries = (await statementEntriesQuery(
          db,
          accountId,
          period.startsAt,
          period.endsBefore,
        )) as StoredLedgerEntryRow[];
        return { account, opening: before[0] ? toBigInt(before[0].balance_after) : 0n, entries };
      },
    );
    const totals = statementTotals(opening, entries);
    if (!totals.balanced) {
      context.logger.error(
        { accountId, from: period.from, to: period.to },
        'ledger running balances do not add up over the statement period',
      );
    }
    const currency = currencyOf(account.currency);
    return {
      accountId,
      currency,
      from: period.from,
      to: period.to,
      openingBalance: formatAmount(totals.opening, currency),
      closingBalance: formatAmount(totals.closing, currency),
      totalIn: formatAmount(totals.totalIn, currency),
      totalOut: formatAmount(totals.totalOut, currency),
      entries: entries.map(toLedgerEntryMessage),
    };
  };
}
