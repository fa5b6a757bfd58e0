import { expect } from '@open-wc/testing';
import { gridLayout } from './grid-layout.js';

const RATIO = 16 / 9;
const GAP = 8;

/** The widest 16:9 tile that fits a grid of `columns` columns, found by bisection (not by the formula under test). */
function widestTile(count: number, columns: number, width: number, height: number, gap: number): number {
  const rows = Math.ceil(count / columns);
  const fits = (w: number) => columns * w + (columns - 1) * gap <= width && rows * (w / RATIO) + (rows - 1) * gap <= height;
  let lo = 0;
  let hi = width;
  for (let i = 0; i < 60; i++) {
    const mid = (lo + hi) / 2;
    if (fits(mid)) lo = mid;
    else hi = mid;
  }
  return lo;
}

const boxes = {
  wide: { width: 1600, height: 900 },
  tall: { width: 540, height: 960 },
  square: { width: 1000, height: 1000 },
  'very wide': { width: 2000, height: 300 },
};

describe('gridLayout', () => {
  for (const [label, { width, height }] of Object.entries(boxes)) {
    for (let count = 1; count <= 8; count++) {
      it(`${count} tile(s) in a ${label} ${width}×${height} box: 16:9, inside the box, and as large as any column count allows`, () => {
        const layout = gridLayout({ count, width, height, gap: GAP });
        const { columns, rows, tileWidth, tileHeight } = layout;
        // Enough cells, and no empty row or column.
        expect(columns * rows).to.be.at.least(count);
        expect((columns - 1) * rows).to.be.below(count);
        expect(columns * (rows - 1)).to.be.below(count);
        // 16:9 within a pixel.
        expect(tileHeight).to.be.above(0);
        expect(Math.abs(tileWidth / RATIO - tileHeight)).to.be.below(1);
        // Inside the box, gaps included.
        expect(columns * tileWidth + (columns - 1) * GAP).to.be.at.most(width);
        expect(rows * tileHeight + (rows - 1) * GAP).to.be.at.most(height);
        // No other column count gives a larger tile (the result is floored to whole pixels).
        for (let other = 1; other <= count; other++) {
          expect(tileWidth, `${other} columns would be larger`).to.be.at.least(Math.floor(widestTile(count, other, width, height, GAP)));
        }
      });
    }
  }

  it('fills a 16:9 box with one tile, and picks 2×2 for four and side by side for two', () => {
    expect(gridLayout({ count: 1, width: 1600, height: 900 })).to.deep.equal({ columns: 1, rows: 1, tileWidth: 1600, tileHeight: 900 });
    expect(gridLayout({ count: 4, width: 1600, height: 900, gap: 8 })).to.include({ columns: 2, rows: 2, tileWidth: 792, tileHeight: 445 });
    expect(gridLayout({ count: 2, width: 1600, height: 900, gap: 8 })).to.include({ columns: 2, rows: 1, tileWidth: 796 });
    // A tall box stacks two tiles instead.
    expect(gridLayout({ count: 2, width: 540, height: 960, gap: 8 })).to.include({ columns: 1, rows: 2, tileWidth: 540 });
  });

  it('uses the aspect ratio it is given', () => {
    expect(gridLayout({ count: 1, width: 800, height: 800, aspectRatio: 4 / 3 })).to.deep.equal({
      columns: 1,
      rows: 1,
      tileWidth: 800,
      tileHeight: 600,
    });
  });

  it('gives zero-sized tiles for no tiles or an empty box', () => {
    expect(gridLayout({ count: 0, width: 1600, height: 900 })).to.deep.equal({ columns: 0, rows: 0, tileWidth: 0, tileHeight: 0 });
    expect(gridLayout({ count: 3, width: 0, height: 0, gap: 8 })).to.include({ tileWidth: 0, tileHeight: 0 });
  });
});
