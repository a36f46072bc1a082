import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { PNG } from 'pngjs';

/**
 * Reference images for documents: a page rasterised by pdftoppm is compared pixel by pixel with a PNG committed under
 * test/reference. `UPDATE_REFERENCE=1` writes the reference instead (deliberately, after looking at it); without it a
 * missing reference is an error, never silently created.
 */

export interface PngDiff {
  sameSize: boolean;
  width: number;
  height: number;
  /** Pixels whose largest channel difference (R, G, B or A) exceeds the threshold. */
  differing: number;
  /** differing / all pixels (1 when the sizes differ). */
  ratio: number;
}

/** Compare two PNGs; a pixel differs when one of its channels differs by more than `threshold` (0–255). */
export function diffPng(actual: Buffer, expected: Buffer, threshold = 64): PngDiff {
  const a = PNG.sync.read(actual);
  const b = PNG.sync.read(expected);
  if (a.width !== b.width || a.height !== b.height) return { sameSize: false, width: a.width, height: a.height, differing: a.width * a.height, ratio: 1 };
  let differing = 0;
  for (let i = 0; i < a.data.length; i += 4) {
    for (let c = 0; c < 4; c++) {
      if (Math.abs(a.data[i + c]! - b.data[i + c]!) > threshold) {
        differing++;
        break;
      }
    }
  }
  return { sameSize: true, width: a.width, height: a.height, differing, ratio: differing / (a.width * a.height) };
}

export const updatingReferences = () => process.env.UPDATE_REFERENCE === '1';

/**
 * The committed reference at `path` compared with `actual`; with UPDATE_REFERENCE=1 the reference is (re)written from
 * `actual` and null comes back. A missing reference throws, naming the command that creates it.
 */
export function compareWithReference(actual: Buffer, path: string): PngDiff | null {
  if (updatingReferences()) {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, actual);
    return null;
  }
  if (!existsSync(path)) throw new Error(`参考图 ${path} 不存在：确认页面无误后用 UPDATE_REFERENCE=1 运行测试生成`);
  return diffPng(actual, readFileSync(path));
}
