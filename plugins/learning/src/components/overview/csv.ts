import { unparse } from 'papaparse';

/** A table as CSV text: a header row from the column titles, then one row per item. */
export function toCsv<T>(
  rows: T[],
  columns: Array<{ title: string; value: (row: T) => unknown }>,
): string {
  return unparse({
    fields: columns.map(c => c.title),
    data: rows.map(r => columns.map(c => c.value(r) ?? '')),
  });
}

/** Saves text as a file from the browser. */
export function download(filename: string, text: string, type: string) {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  document.body.appendChild(link);
  link.click();
  link.remove();
  URL.revokeObjectURL(url);
}
