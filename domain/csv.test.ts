import { CsvError, parseCsv } from './csv';

const values = (text: string) => parseCsv(text).map((r) => r.values);

describe('reading CSV', () => {
  test('plain fields, one record per line', () => {
    expect(values('accountKey,name\nacme,Acme\n')).toEqual([
      ['accountKey', 'name'],
      ['acme', 'Acme'],
    ]);
  });

  test('a quoted field keeps its commas', () => {
    expect(values('acme,"Acme, Inc.",5000')).toEqual([['acme', 'Acme, Inc.', '5000']]);
  });

  test('doubled quotes inside a quoted field are one quote', () => {
    expect(values('"Contoso ""The Big One"" Ltd",x')).toEqual([['Contoso "The Big One" Ltd', 'x']]);
    expect(values('"""",""')).toEqual([['"', '']]);
  });

  test('CRLF ends a record; a line break inside quotes is part of the value', () => {
    const records = parseCsv('a,b\r\n"line one\r\nline two",2\r\nlast,3\r\n');
    expect(records.map((r) => r.values)).toEqual([
      ['a', 'b'],
      ['line one\r\nline two', '2'],
      ['last', '3'],
    ]);
    // Records carry the line they start on, so errors point into the file.
    expect(records.map((r) => r.line)).toEqual([1, 2, 4]);
  });

  test('an empty trailing line and blank lines are not records; empty fields are kept', () => {
    expect(values('a,b\n\n1,\n,2\n\n')).toEqual([
      ['a', 'b'],
      ['1', ''],
      ['', '2'],
    ]);
    expect(values('a\n""\n')).toEqual([['a'], ['']]);
    expect(values('')).toEqual([]);
  });

  test('a quote in the middle of an unquoted field is text', () => {
    expect(values('5" screen,ok')).toEqual([['5" screen', 'ok']]);
  });

  test('an unterminated quote is an error naming the line it opened on', () => {
    expect(() => parseCsv('a,b\n1,"never closed\n2,3\n')).toThrow(CsvError);
    try {
      parseCsv('a,b\n1,"never closed\n2,3\n');
    } catch (err) {
      expect((err as CsvError).line).toBe(2);
    }
  });
});
