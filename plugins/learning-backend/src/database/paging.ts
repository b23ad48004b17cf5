import type { Knex } from 'knex';
import { countRows } from './sql';

/**
 * Reads one page of a filtered query: the total without paging, then the rows of the page in a stable order (the
 * sort column, then the id), turned into records by `toItems`.
 */
export async function readPage<R, T>(
  base: Knex.QueryBuilder,
  options: {
    table: string;
    sortColumn: string;
    query: { page: number; limit: number; order: 'asc' | 'desc' };
    toItems: (rows: R[]) => Promise<T[]> | T[];
  },
): Promise<{ items: T[]; totalCount: number; page: number; limit: number }> {
  const { page, limit, order } = options.query;
  const totalCount = await countRows(base);
  const rows = await base
    .clone()
    .select(`${options.table}.*`)
    .orderBy(options.sortColumn, order)
    .orderBy(`${options.table}.id`, order)
    .limit(limit)
    .offset((page - 1) * limit);
  return { items: await options.toItems(rows as R[]), totalCount, page, limit };
}
