import { toCsv } from './csv';

describe('toCsv', () => {
  it('writes a header and quotes values that need it', () => {
    const csv = toCsv(
      [
        { title: 'Vendor, timeouts', n: 3, note: 'said "again"' },
        { title: 'Backlog', n: 0, note: undefined },
      ],
      [
        { title: 'Title', value: r => r.title },
        { title: 'Incidents', value: r => r.n },
        { title: 'Note', value: r => r.note },
      ],
    );
    expect(csv.split('\r\n')).toEqual([
      'Title,Incidents,Note',
      '"Vendor, timeouts",3,"said ""again"""',
      'Backlog,0,',
    ]);
  });
});
