/**
 * Bridge to the SOQL engine (`./query/index.ts`): runs a query and turns the engine's
 * {@link SoqlError} into Salesforce's 400 error array.
 */
import { sfError, SimHttpError } from './errors.js';
import { executeQuery, SoqlError } from './query/index.js';
import type { OrgStore } from './store-types.js';

export interface QueryResult {
  readonly totalSize: number;
  readonly records: readonly object[];
}

/** Run a query over the org; engine errors become a 400 with `[{message, errorCode}]`. */
export function runQuery(soql: string, store: OrgStore, options: { includeDeleted: boolean; apiVersion: string; now?: number }): QueryResult {
  try {
    return executeQuery(soql, store, options);
  } catch (error) {
    if (error instanceof SoqlError) throw new SimHttpError(400, sfError(error.errorCode, error.message));
    throw error;
  }
}
