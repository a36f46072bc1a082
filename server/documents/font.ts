import { readFileSync } from 'node:fs';
import PDFDocument from 'pdfkit';
import { createRequire } from 'node:module';
import { inflateSync } from 'node:zlib';

/**
 * The Chinese font for PDFs comes from an npm package (@fontsource/noto-sans-sc), never from the system. It ships as
 * WOFF 1.0, which is an sfnt whose tables are zlib-compressed; pdfkit embeds a plain sfnt far faster (and subsets it),
 * so the WOFF is unpacked once in memory: header → table directory → inflate each table → sfnt with the same tables.
 */
export function woffToSfnt(woff: Buffer): Buffer {
  if (woff.toString('latin1', 0, 4) !== 'wOFF') throw new Error('not a WOFF 1.0 font');
  const flavor = woff.readUInt32BE(4);
  const numTables = woff.readUInt16BE(12);
  const tables = Array.from({ length: numTables }, (_, i) => {
    const at = 44 + i * 20;
    const offset = woff.readUInt32BE(at + 4);
    const compLength = woff.readUInt32BE(at + 8);
    const origLength = woff.readUInt32BE(at + 12);
    const raw = woff.subarray(offset, offset + compLength);
    return {
      tag: woff.subarray(at, at + 4),
      checksum: woff.readUInt32BE(at + 16),
      data: compLength < origLength ? inflateSync(raw) : raw,
    };
  });
  const entrySelector = Math.floor(Math.log2(numTables));
  const searchRange = 2 ** entrySelector * 16;
  const header = Buffer.alloc(12 + numTables * 16);
  header.writeUInt32BE(flavor, 0);
  header.writeUInt16BE(numTables, 4);
  header.writeUInt16BE(searchRange, 6);
  header.writeUInt16BE(entrySelector, 8);
  header.writeUInt16BE(numTables * 16 - searchRange, 10);
  const bodies: Buffer[] = [];
  let offset = header.length;
  tables.forEach((t, i) => {
    const rec = 12 + i * 16;
    t.tag.copy(header, rec);
    header.writeUInt32BE(t.checksum, rec + 4);
    header.writeUInt32BE(offset, rec + 8);
    header.writeUInt32BE(t.data.length, rec + 12);
    const padded = Buffer.alloc((t.data.length + 3) & ~3);
    t.data.copy(padded);
    bodies.push(padded);
    offset += padded.length;
  });
  return Buffer.concat([header, ...bodies]);
}

let cached: Buffer | undefined;

/** Noto Sans SC (simplified Chinese subset, regular) as an sfnt buffer, unpacked once per process. */
function chineseFont(): Buffer {
  if (!cached) {
    const require = createRequire(import.meta.url);
    const path = require.resolve('@fontsource/noto-sans-sc/files/noto-sans-sc-chinese-simplified-400-normal.woff');
    cached = woffToSfnt(readFileSync(path));
  }
  return cached;
}

/** A PDF document with the Chinese font registered and selected, and the finished file once `doc.end()` is called. */
export function chineseDocument(options: PDFKit.PDFDocumentOptions): { doc: PDFKit.PDFDocument; done: Promise<Buffer> } {
  const doc = new PDFDocument(options);
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve) => doc.on('end', () => resolve(Buffer.concat(chunks))));
  doc.registerFont('cn', chineseFont());
  doc.font('cn');
  return { doc, done };
}
