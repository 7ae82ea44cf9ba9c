import { element, escapeXml, fixed, label, SERIES_STYLES, type Box, type Scale } from './svg.js';

const WIDTH = 760;
const MARGIN = { left: 72, right: 24 };
const LEGEND_ROW = 18;
const FOOTNOTE_LEFT = 16;

export interface ChartText {
  /** Also the SVG's accessible name. */
  title: string;
  subtitle: string;
  /** What the chart shows in words, for screen readers (`<desc>`). */
  description: string;
  /** Under the plot: where the figures come from. */
  footnote: string;
}

export interface LegendItem {
  label: string;
  style: number;
  /** Filled box (bars) or a line sample (curves). */
  shape: 'box' | 'line';
}

/** The plot area of a chart `plotHeight` tall, and where the legend goes under it. */
export function plotBox(plotHeight: number, left = MARGIN.left): Box {
  return { left, top: 64, width: WIDTH - left - MARGIN.right, height: plotHeight };
}

function legendMarkup(items: LegendItem[], box: Box, top: number): string {
  const columnWidth = box.width / 2;
  return items
    .map((item, index) => {
      const x = box.left + (index % 2) * columnWidth;
      const y = top + Math.floor(index / 2) * LEGEND_ROW;
      const { color, dash } = SERIES_STYLES[item.style % SERIES_STYLES.length]!;
      const sample =
        item.shape === 'box'
          ? element('rect', { x, y: y - 10, width: 14, height: 12, fill: color })
          : element('line', {
              x1: x,
              y1: y - 4,
              x2: x + 24,
              y2: y - 4,
              stroke: color,
              'stroke-width': 2.5,
              'stroke-dasharray': dash,
            });
      return element('g', {}, sample + label(x + 30, y, item.label));
    })
    .join('');
}

/**
 * The whole document: white background (readable in dark mode too), title, subtitle, the
 * plot's markup, axis titles, legend under the plot and a footnote. Height follows the legend.
 */
export function chartDocument(
  id: string,
  text: ChartText,
  box: Box,
  plot: string,
  axes: { x: string; y: string },
  legend: LegendItem[],
): string {
  const legendTop = box.top + box.height + 58;
  const footnoteTop = legendTop + Math.ceil(legend.length / 2) * LEGEND_ROW + 8;
  const height = footnoteTop + 16;
  const body = [
    element('rect', { width: WIDTH, height, fill: '#ffffff' }),
    label(box.left, 26, text.title, { 'font-size': 16, 'font-weight': 'bold' }),
    label(box.left, 46, text.subtitle, { fill: '#444444' }),
    plot,
    label(box.left + box.width / 2, box.top + box.height + 40, axes.x, { 'text-anchor': 'middle' }),
    label(-(box.top + box.height / 2), 18, axes.y, { transform: 'rotate(-90)', 'text-anchor': 'middle' }),
    legendMarkup(legend, box, legendTop),
    label(FOOTNOTE_LEFT, footnoteTop, text.footnote, { fill: '#666666', 'font-size': 11 }),
  ].join('');
  return element(
    'svg',
    {
      xmlns: 'http://www.w3.org/2000/svg',
      width: WIDTH,
      height: fixed(height),
      viewBox: `0 0 ${WIDTH} ${fixed(height)}`,
      role: 'img',
      'aria-labelledby': `${id}-title ${id}-desc`,
      'font-family': 'system-ui, -apple-system, Segoe UI, Helvetica, Arial, sans-serif',
      'font-size': 12,
      fill: '#222222',
    },
    element('title', { id: `${id}-title` }, escapeXml(text.title)) +
      element('desc', { id: `${id}-desc` }, escapeXml(text.description)) +
      body,
  );
}

/** Horizontal grid lines with their labels on the left. */
export function yAxis(box: Box, scale: Scale, ticks: number[], format: (tick: number) => string): string {
  return ticks
    .map((tick) => {
      const y = fixed(scale(tick));
      return (
        element('line', { x1: box.left, y1: y, x2: box.left + box.width, y2: y, stroke: '#dddddd' }) +
        label(box.left - 6, y + 4, format(tick), { 'text-anchor': 'end', fill: '#444444' })
      );
    })
    .join('');
}

/** The x axis line and labels under it at `positions`. */
export function xAxis(box: Box, positions: Array<{ x: number; text: string }>): string {
  const bottom = box.top + box.height;
  return (
    element('line', { x1: box.left, y1: bottom, x2: box.left + box.width, y2: bottom, stroke: '#888888' }) +
    positions
      .map(
        ({ x, text }) =>
          element('line', { x1: fixed(x), y1: bottom, x2: fixed(x), y2: bottom + 4, stroke: '#888888' }) +
          label(x, bottom + 18, text, { 'text-anchor': 'middle', fill: '#444444' }),
      )
      .join('')
  );
}
