import { type Series, lineChart } from './svg.js';

const fontSize = (svg: string) => Number(/font-size="(\d+)" font-weight="bold"/.exec(svg)![1]);

describe('line charts', () => {
  const series: Series[] = [
    {
      name: 'a',
      points: [
        [0, 1],
        [1, 2],
      ],
    },
  ];
  it('keep the title at 15 px when it fits, and set a long one smaller so that it fits', () => {
    const short = lineChart(series, { title: 'modes found', xLabel: 'x', yLabel: 'y' });
    expect(fontSize(short)).toBe(15);
    const title = 'top-k mean score of all data per round (molecule-fragments, mean of 3 seed(s))';
    const long = lineChart(series, { title, xLabel: 'x', yLabel: 'y', width: 560 });
    const size = fontSize(long);
    expect(size).toBeLessThan(15);
    // About 0.6 em per bold glyph: the title stays within the chart's width.
    expect(0.6 * size * title.length).toBeLessThanOrEqual(560 - 16);
  });
});
