/** A horizontal bar chart as plain SVG text: no dependencies, readable on GitHub in light and dark. */

/** One bar. */
export interface Bar {
  label: string;
  value: number | null;
  /** Text after the value, e.g. "1.52× hand". */
  note?: string;
}

/** A chart's content. */
export interface BarChart {
  title: string;
  unit: string;
  bars: Bar[];
}

const WIDTH = 640;
const LABEL_W = 110;
const VALUE_W = 190;
const ROW_H = 30;
const TOP = 40;
const PALETTE = ['#4e79a7', '#f28e2b', '#59a14f', '#e15759', '#76b7b2', '#edc948'];

/** Escapes text for SVG content and attributes. */
export function escapeXml(s: string): string {
  return s.replace(
    /[<>&"']/g,
    (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!,
  );
}

/** Formats a value with sensible precision for a label. */
export function formatValue(v: number): string {
  if (v >= 100) return Math.round(v).toLocaleString('en-US');
  if (v >= 10) return v.toFixed(1);
  return v.toFixed(2);
}

/** Renders the chart. Bars without a value are drawn as "n/a". */
export function barChartSvg(chart: BarChart): string {
  const max = Math.max(1e-9, ...chart.bars.map((b) => b.value ?? 0));
  const plotW = WIDTH - LABEL_W - VALUE_W;
  const height = TOP + chart.bars.length * ROW_H + 12;
  const rows = chart.bars.map((bar, i) => {
    const y = TOP + i * ROW_H;
    const w = bar.value === null ? 0 : Math.max(1, (bar.value / max) * plotW);
    const text =
      bar.value === null
        ? 'n/a'
        : `${formatValue(bar.value)} ${chart.unit}${bar.note ? ` · ${bar.note}` : ''}`;
    return [
      `  <text x="${LABEL_W - 8}" y="${y + 19}" text-anchor="end">${escapeXml(bar.label)}</text>`,
      `  <rect x="${LABEL_W}" y="${y + 5}" width="${w.toFixed(1)}" height="${ROW_H - 10}" rx="3" fill="${PALETTE[i % PALETTE.length]}"/>`,
      `  <text x="${(LABEL_W + w + 6).toFixed(1)}" y="${y + 19}">${escapeXml(text)}</text>`,
    ].join('\n');
  });
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="system-ui, sans-serif" font-size="13">`,
    `  <title>${escapeXml(chart.title)}</title>`,
    `  <rect width="100%" height="100%" fill="#ffffff"/>`,
    `  <text x="12" y="24" font-size="15" font-weight="600">${escapeXml(chart.title)}</text>`,
    ...rows,
    '</svg>',
    '',
  ].join('\n');
}
