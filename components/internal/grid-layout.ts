/** Where the tiles of `<rtc-remote-videos>` go. Pure arithmetic, no DOM. */

export interface GridLayoutOptions {
  /** How many tiles. */
  count: number;
  /** The box to fill, in CSS pixels. */
  width: number;
  height: number;
  /** Space between tiles, in CSS pixels. @default 0 */
  gap?: number;
  /** Tile width / height. @default 16 / 9 */
  aspectRatio?: number;
}

export interface GridLayout {
  columns: number;
  rows: number;
  /** Whole CSS pixels; `tileWidth / tileHeight` is the aspect ratio within a pixel. */
  tileWidth: number;
  tileHeight: number;
}

/**
 * The grid that makes `count` tiles of the given aspect ratio as large as possible inside the box:
 * tries every column count, fits the largest tile into one cell of that grid, and keeps the best
 * (on a tie, the fewest columns). Zero tiles or an empty box give zero-sized tiles.
 */
export function gridLayout({ count, width, height, gap = 0, aspectRatio = 16 / 9 }: GridLayoutOptions): GridLayout {
  const n = Math.max(0, Math.floor(count));
  if (n === 0) return { columns: 0, rows: 0, tileWidth: 0, tileHeight: 0 };
  let best = { columns: 1, rows: n, width: -Infinity };
  for (let columns = 1; columns <= n; columns++) {
    const rows = Math.ceil(n / columns);
    const cellWidth = (width - (columns - 1) * gap) / columns;
    const cellHeight = (height - (rows - 1) * gap) / rows;
    const tileWidth = Math.min(cellWidth, cellHeight * aspectRatio);
    if (tileWidth > best.width) best = { columns, rows, width: tileWidth };
  }
  const tileWidth = Math.max(0, Math.floor(best.width));
  // Floor both so the tile never leaves its cell.
  const tileHeight = Math.floor(tileWidth / aspectRatio);
  return { columns: best.columns, rows: best.rows, tileWidth, tileHeight };
}
