import type { RequestHandler } from 'express';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import { ApiError } from '../errors';

/**
 * The largest body taken, decompressed: the SDKs' own size checks do not hold
 * (analytics-node sent a 985 KB batch, RudderStack 592 KB once unzipped).
 */
export const MAX_TRACKING_BODY = 1024 * 1024;

const decoders: Record<string, (buf: Buffer, opts: zlib.ZlibOptions) => Promise<Buffer>> = {
  gzip: promisify(zlib.gunzip),
  'x-gzip': promisify(zlib.gunzip),
  deflate: promisify(zlib.inflate),
  br: promisify(zlib.brotliDecompress) as (buf: Buffer, opts: zlib.ZlibOptions) => Promise<Buffer>,
};

const tooLarge = () => new ApiError(413, 'payload_too_large', `the body is larger than ${MAX_TRACKING_BODY} bytes (1 MiB) decompressed; send smaller batches`);

async function readRaw(source: AsyncIterable<Buffer>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of source) {
    size += chunk.length;
    if (size > MAX_TRACKING_BODY) throw tooLarge();
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

async function decode(raw: Buffer, encoding: string): Promise<Buffer> {
  if (encoding === 'identity' || encoding === '') return raw;
  const decoder = decoders[encoding];
  if (!decoder) throw ApiError.validation([{ path: 'Content-Encoding', message: `'${encoding}' is not taken; send gzip, deflate, br or none` }]);
  try {
    return await decoder(raw, { maxOutputLength: MAX_TRACKING_BODY });
  } catch (err) {
    if ((err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE' || err instanceof RangeError) throw tooLarge();
    throw ApiError.validation([{ path: 'Content-Encoding', message: `the body is not valid ${encoding}` }]);
  }
}

/**
 * Reads a tracking body whatever it is labelled: decoded by Content-Encoding
 * (RudderStack gzips), parsed as JSON whatever the Content-Type says
 * (RudderStack says application/x-www-form-urlencoded, browsers text/plain
 * through sendBeacon), at most 1 MiB decompressed.
 */
export const readTrackingBody: RequestHandler = async (req, _res, next) => {
  if (Number(req.get('content-length') ?? 0) > MAX_TRACKING_BODY) throw tooLarge();
  const encoding = (req.get('content-encoding') ?? 'identity').trim().toLowerCase();
  const text = (await decode(await readRaw(req), encoding)).toString('utf8');
  try {
    req.body = JSON.parse(text);
  } catch {
    throw ApiError.validation([{ path: '', message: 'the body is not JSON' }]);
  }
  next();
};
