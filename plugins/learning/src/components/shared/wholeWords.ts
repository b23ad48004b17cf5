import type { CSSProperties } from 'react';
import type { TableColumn } from '@backstage/core-components';

/**
 * Backstage's table cells break words anywhere, so the browser may squeeze a column below its longest word and
 * print "Localiza-tion". Cells here keep words whole: the table layout then gives each column at least its
 * longest word, and text wraps between words.
 */
export function wholeWords<T extends object>(
  columns: TableColumn<T>[],
): TableColumn<T>[] {
  return columns.map(column => ({
    ...column,
    cellStyle: {
      wordBreak: 'normal',
      ...(column.cellStyle as CSSProperties | undefined),
    },
  }));
}
