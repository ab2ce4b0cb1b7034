import { describe, expect, it } from 'vitest';
import { csvCells, csvSheet, decodeCsv, detectDelimiter } from './csv-cells.ts';

const utf8 = (s: string) => new TextEncoder().encode(s);

describe('decodeCsv', () => {
  it('reads UTF-8 with and without a BOM, the BOM dropped', () => {
    expect(decodeCsv(utf8('\ufeffHọ và tên;Số điện thoại'))).toBe('Họ và tên;Số điện thoại');
    expect(decodeCsv(utf8('Họ và tên;Số điện thoại'))).toBe('Họ và tên;Số điện thoại');
  });

  it('reads UTF-16LE and UTF-16BE with their BOM (Excel’s "Unicode Text")', () => {
    const le = Buffer.concat([
      Buffer.from([0xff, 0xfe]),
      Buffer.from('Nguyễn Văn An\t0912345678', 'utf16le'),
    ]);
    expect(decodeCsv(le)).toBe('Nguyễn Văn An\t0912345678');
    const be = Buffer.from('Đặng Thị Ánh', 'utf16le').swap16();
    expect(decodeCsv(Buffer.concat([Buffer.from([0xfe, 0xff]), be]))).toBe('Đặng Thị Ánh');
  });

  it('reads bytes that are not UTF-8 as windows-1258 (Excel on a Vietnamese Windows), composed to NFC', () => {
    // "Nguyễn Đức" in windows-1258: ê is 0xEA, the tilde a combining mark 0xDE; Đ 0xD0, ư 0xFD, ́ 0xEC.
    const bytes = Uint8Array.from([0x4e, 0x67, 0x75, 0x79, 0xea, 0xde, 0x6e, 0x20, 0xd0, 0xfd, 0xec, 0x63]);
    const text = decodeCsv(bytes);
    expect(text).toBe('Nguyễn Đức');
    expect(text).toBe(text.normalize('NFC'));
    expect([...text]).toHaveLength(10);
  });

  it('composes decomposed UTF-8 to NFC', () => {
    expect(decodeCsv(utf8('Hoa\u0300'))).toBe('Hoà');
  });
});

describe('csvCells', () => {
  it('splits records on CRLF, LF and CR, without an empty record after the last line break', () => {
    expect(csvCells('a,b\r\nc,d\ne,f\rg,h\r\n', ',')).toEqual([
      ['a', 'b'],
      ['c', 'd'],
      ['e', 'f'],
      ['g', 'h'],
    ]);
  });

  it('keeps empty fields and blank lines, so row numbers stay those of the spreadsheet', () => {
    expect(csvCells('a;;b;\n\n;x\n', ';')).toEqual([['a', '', 'b', ''], [''], ['', 'x']]);
  });

  it('reads quoted fields holding the delimiter, doubled quotes and line breaks', () => {
    expect(csvCells('1,"Số 12, ngõ 5","Ông ""Tư"" Hùng","dòng 1\r\ndòng 2",x\n2,"",y', ',')).toEqual([
      ['1', 'Số 12, ngõ 5', 'Ông "Tư" Hùng', 'dòng 1\r\ndòng 2', 'x'],
      ['2', '', 'y'],
    ]);
  });

  it('is lenient where people type: a quote inside a field, text after a closing quote', () => {
    expect(csvCells('Nhà 5" cũ,"a"b,c', ',')).toEqual([['Nhà 5" cũ', 'ab', 'c']]);
  });

  it('reads a quote never closed as a character, to the end of its field, and goes on', () => {
    expect(csvCells('"Tổ 5;0912345678\nLê An;0987654321', ';')).toEqual([
      ['"Tổ 5', '0912345678'],
      ['Lê An', '0987654321'],
    ]);
  });

  it('stops after `limit` records', () => {
    expect(csvCells('a\nb\nc\n', ',', 2)).toEqual([['a'], ['b']]);
  });
});

describe('detectDelimiter', () => {
  it('takes `;` when addresses hold commas (Excel on a Vietnamese Windows)', () => {
    const text = [
      'DANH SÁCH CÀI ĐẶT ỨNG DỤNG SMART HẢI PHÒNG;;;;',
      'Stt;Họ và tên;Số điện thoại;Cơ quan/đơn vị/doanh nghiệp/tổ chức;Địa chỉ hiện tại',
      '1;Lê An;0912345678;Trường THCS;Số 12, ngõ 5, Tổ 5',
      '2;Lê Bình;0912345679;Trường THCS;Tổ 6',
    ].join('\r\n');
    expect(detectDelimiter(text)).toBe(';');
  });

  it('takes `,` when commas inside fields are quoted', () => {
    const text = [
      'Stt,Họ và tên,Số điện thoại,Cơ quan,Địa chỉ hiện tại',
      '1,Lê An,0912345678,"Công ty A; chi nhánh B","Số 12, ngõ 5"',
      '2,Lê Bình,0912345679,UBND,Tổ 6',
    ].join('\n');
    expect(detectDelimiter(text)).toBe(',');
  });

  it('takes the tab of "Unicode Text", and `,` for a single column', () => {
    expect(detectDelimiter('Stt\tHọ và tên\tSố điện thoại\n1\tLê An, Tổ 5\t0912345678\n')).toBe('\t');
    expect(detectDelimiter('Họ và tên\nLê An\n')).toBe(',');
  });
});

describe('csvSheet', () => {
  it('decodes and splits in one go, honouring and hiding Excel’s sep= line', () => {
    expect(csvSheet(utf8('\ufeffStt;Địa chỉ\n1;Số 1, ngõ 2\n2;Tổ 6\n'))).toEqual([
      ['Stt', 'Địa chỉ'],
      ['1', 'Số 1, ngõ 2'],
      ['2', 'Tổ 6'],
    ]);
    expect(csvSheet(utf8('sep=,\r\na;b,c\r\n'))).toEqual([['a;b', 'c']]);
  });
});
