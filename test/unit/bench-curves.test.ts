// bench:curves (bench/curves/): the report's parsing and aggregation over rounds, and the
// chart rendering (Vega-Lite → SVG in Node). No traffic, no switch, no figures asserted.
import { describe, expect, it } from 'vitest';
import { aggregate, median, parse } from '../../bench/curves/report.js';
import { renderSvg } from '../../bench/curves/plot.js';

describe('bench:curves report', () => {
  const raw = [
    '# commit\tabc1234',
    '# load_before\t0.50 0.40 0.30',
    '1\tsluice\tflows\t1\tkpps\t300.0\t0.5',
    '2\tsluice\tflows\t1\tkpps\t100.0\t2.5',
    '3\tsluice\tflows\t1\tkpps\t200.0\t1.0',
    '1\tovs\tflows\t1\tkpps\tn/a\t0.6',
    '2\tovs\tflows\t1\tkpps\t150.5\t0.7',
    'a line that is not a figure',
  ].join('\n');

  it('reads the machine lines and the figures; a non-number is missing, not 0', () => {
    const { meta, rows } = parse(raw);
    expect(meta.get('commit')).toBe('abc1234');
    expect(meta.get('load_before')).toBe('0.50 0.40 0.30');
    expect(rows).toHaveLength(5);
    expect(rows[3]).toMatchObject({ sw: 'ovs', curve: 'flows', x: '1', metric: 'kpps', value: undefined, load: 0.6 });
  });

  it('gives median, min, max and the load range over the rounds', () => {
    const agg = aggregate(parse(raw).rows);
    expect(agg.get('sluice|flows|1|kpps')).toEqual({ median: 200, min: 100, max: 300, n: 3, of: 3, loadMin: 0.5, loadMax: 2.5 });
    expect(agg.get('ovs|flows|1|kpps')).toMatchObject({ median: 150.5, n: 1, of: 2 });
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });

  it('draws a chart as SVG with both switches', async () => {
    const svg = await renderSvg({
      title: 'test chart', subtitle: ['line 1'], xTitle: 'flows', yTitle: 'kpps', xLog: true,
      points: [
        { series: 'Sluice', x: 1, median: 2, min: 1, max: 3 },
        { series: 'OVS 3.1 netdev', x: 10, median: 5, min: 4, max: 6 },
      ],
    });
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('Sluice');
    expect(svg).toContain('OVS 3.1 netdev');
    expect(svg).toContain('test chart');
  });
});
