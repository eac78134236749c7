// bench/curves/plot.ts — draws one curve of the curves bench as an SVG with Vega-Lite
// (compiled to a Vega spec, rendered headless by vega's View.toSVG(): no browser, no canvas).
//
// Input: points already aggregated by report.ts (median and min–max over the rounds, per
// switch and x). Invariants: a point without a figure (n/a) is left out, never drawn as 0;
// each switch is one colour, its median a line with points, its spread a vertical rule from
// min to max; the title says what was measured and under which load.
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

export interface PlotPoint {
  /** Switch label, e.g. "Sluice" or "OVS 3.1 netdev" (the colour). */
  series: string;
  /** A second dimension of the same switch, e.g. the client that installed rules (the dash). */
  client?: string | undefined;
  /** The x value (flows, rules) or a category ("idle", "10 %"). */
  x: number | string;
  median: number;
  min: number;
  max: number;
}

export interface PlotSpec {
  title: string;
  /** One or more lines under the title. */
  subtitle: string[];
  xTitle: string;
  yTitle: string;
  /** Log scale for numeric x (flows, rules); categories keep the given order. */
  xLog: boolean;
  /** For a categorical x: the order of the categories. */
  xOrder?: string[];
  points: PlotPoint[];
}

const COLOURS = { domain: ['Sluice', 'OVS 3.1 netdev'], range: ['#1f77b4', '#d62728'] };

function vegaLiteSpec(p: PlotSpec): TopLevelSpec {
  const numeric = p.xOrder === undefined;
  const x = numeric
    ? {
      field: 'x', type: 'quantitative' as const, title: p.xTitle,
      scale: p.xLog ? { type: 'log' as const } : {},
      axis: { format: '~s', grid: true },
    }
    : { field: 'x', type: 'ordinal' as const, title: p.xTitle, sort: p.xOrder, axis: { labelAngle: 0 } };
  const colour = { field: 'series', type: 'nominal' as const, title: null, scale: COLOURS, legend: { orient: 'top' as const } };
  // A series per switch and client: `detail` keeps one line per pair, the dash tells clients apart.
  const dashed = p.points.some((q) => q.client !== undefined);
  const dash = dashed ? { strokeDash: { field: 'client', type: 'nominal' as const, title: null, legend: { orient: 'top' as const, symbolType: 'stroke', symbolStrokeWidth: 2, symbolSize: 300, encode: { symbols: { update: { stroke: { value: '#444' } } } } } } } : {};
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: p.title, subtitle: p.subtitle, anchor: 'start' },
    width: 560,
    height: 300,
    background: 'white',
    data: { values: p.points.map((q) => ({ ...q })) },
    layer: [
      {
        mark: { type: 'rule', strokeWidth: 1.5 },
        encoding: { x, y: { field: 'min', type: 'quantitative' }, y2: { field: 'max' }, color: colour, ...(dashed ? { detail: { field: 'client' } } : {}) },
      },
      {
        mark: { type: 'line', point: { filled: true, size: 50 } },
        encoding: {
          x,
          y: { field: 'median', type: 'quantitative', title: p.yTitle, scale: { zero: true } },
          color: colour,
          ...dash,
          tooltip: [{ field: 'series' }, ...(dashed ? [{ field: 'client' }] : []), { field: 'x' }, { field: 'median' }, { field: 'min' }, { field: 'max' }],
        },
      },
    ],
    config: { font: 'sans-serif', axis: { labelFontSize: 11, titleFontSize: 12 } },
  };
}

/** The chart as an SVG document. */
export async function renderSvg(p: PlotSpec): Promise<string> {
  const compiled = compile(vegaLiteSpec(p)).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
