import type { FastifyReply } from 'fastify';
import type { Readable } from 'node:stream';

/** A file to download, its name in UTF-8 (Chinese file names survive every browser). */
export function attachment(reply: FastifyReply, type: string, filename: string, body: Buffer | Readable) {
  return reply.header('content-type', type).header('content-disposition', `attachment; filename*=UTF-8''${encodeURIComponent(filename)}`).send(body);
}

export const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
