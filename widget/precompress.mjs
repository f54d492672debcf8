// Writes `<file>.gz` and `<file>.br` beside a built bundle, at the highest levels (they are made
// once per build, so the time is free), for api/routes/static.ts to serve as they are.
import { readFileSync, writeFileSync } from 'node:fs';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

/** Precompresses one file; returns the three sizes in bytes. */
export function precompress(file) {
  const body = readFileSync(file);
  const gz = gzipSync(body, { level: 9 });
  const br = brotliCompressSync(body, {
    params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT, [constants.BROTLI_PARAM_SIZE_HINT]: body.length },
  });
  writeFileSync(`${file}.gz`, gz);
  writeFileSync(`${file}.br`, br);
  return { raw: body.length, gzip: gz.length, brotli: br.length };
}
