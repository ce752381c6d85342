/**
 * Small charts as inline SVG, drawn on the server: the console runs no script (CSP script-src
 * 'none'), and a chart in the page's own markup prints and reads without one. Each chart is an
 * image with a title and a description for screen readers; the numbers are always also in a
 * table beside it, so the chart is never their only carrier. A withheld value is drawn as a
 * hatched marker, never as a zero bar.
 */

export interface ChartPoint {
  label: string;
  /** null: withheld (suppressed); undefined: nothing to draw (a month not begun). */
  value: number | null | undefined;
}

interface Frame {
  id: string;
  title: string;
  desc: string;
}

const WIDTH = 480;
const HEIGHT = 200;
const PAD = { left: 44, right: 12, top: 14, bottom: 34 };
const PLOT_W = WIDTH - PAD.left - PAD.right;
const PLOT_H = HEIGHT - PAD.top - PAD.bottom;
const MARKER_H = 18;

/** A round axis maximum at or above `max`: 1, 2 or 5 times a power of ten. */
export function niceMax(max: number): number {
  if (max <= 0) return 10;
  const power = 10 ** Math.floor(Math.log10(max));
  return [1, 2, 5, 10].map((m) => m * power).find((m) => m >= max)!;
}

const y = (value: number, top: number) => PAD.top + PLOT_H - (value / top) * PLOT_H;
const slot = (n: number) => PLOT_W / Math.max(n, 1);
const centre = (i: number, n: number) => PAD.left + slot(n) * (i + 0.5);

/** The frame every chart shares: the image's name and description, the hatch pattern, the axes. */
function Chart(props: Frame & { top: number; labels: string[]; children?: unknown }) {
  const { id, top, labels } = props;
  const ticks = [0, top / 2, top];
  return (
    <svg class="chart" role="img" aria-labelledby={`${id}-title ${id}-desc`} viewBox={`0 0 ${WIDTH} ${HEIGHT}`} width="100%" preserveAspectRatio="xMidYMid meet">
      <title id={`${id}-title`}>{props.title}</title>
      <desc id={`${id}-desc`}>{props.desc}</desc>
      <defs>
        <pattern id={`${id}-hatch`} width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">
          <rect width="6" height="6" fill="#ffffff" />
          <line x1="0" y1="0" x2="0" y2="6" stroke="#4a5260" stroke-width="2.5" />
        </pattern>
      </defs>
      {ticks.map((t) => (
        <g class="tick">
          <line x1={PAD.left} x2={WIDTH - PAD.right} y1={y(t, top)} y2={y(t, top)} class="grid" />
          <text x={PAD.left - 6} y={y(t, top) + 4} text-anchor="end">{Number.isInteger(t) ? t : t.toFixed(1)}</text>
        </g>
      ))}
      <line x1={PAD.left} x2={WIDTH - PAD.right} y1={y(0, top)} y2={y(0, top)} class="axis" />
      {labels.map((label, i) => <text x={centre(i, labels.length)} y={HEIGHT - PAD.bottom + 18} text-anchor="middle">{label}</text>)}
      {props.children}
    </svg>
  );
}

/** Where a value is withheld: a hatched box on the baseline, the same in every chart. */
function WithheldMarker(props: { id: string; i: number; n: number; top: number }) {
  const w = Math.min(slot(props.n) * 0.6, 40);
  return <rect class="withheld" x={centre(props.i, props.n) - w / 2} y={y(0, props.top) - MARKER_H} width={w} height={MARKER_H} fill={`url(#${props.id}-hatch)`} />;
}

/** One bar per point; a withheld point is a hatched marker. */
export function BarChart(props: Frame & { points: ChartPoint[] }) {
  const { points, id } = props;
  const top = niceMax(Math.max(0, ...points.map((p) => p.value ?? 0)));
  const n = points.length;
  const w = Math.min(slot(n) * 0.6, 40);
  return (
    <Chart {...props} top={top} labels={points.map((p) => p.label)}>
      {points.map((p, i) => (p.value === undefined ? null : p.value === null
        ? <WithheldMarker id={id} i={i} n={n} top={top} />
        : <rect class="bar" x={centre(i, n) - w / 2} y={y(p.value, top)} width={w} height={y(0, top) - y(p.value, top)} />))}
    </Chart>
  );
}

/**
 * A running total as a line with a dot per point, broken where a point is withheld (a hatched
 * marker there), against horizontal reference lines such as a target and a baseline.
 */
export function LineChart(props: Frame & { points: ChartPoint[]; references: { label: string; value: number; kind: 'target' | 'baseline' }[] }) {
  const { points, id, references } = props;
  const top = niceMax(Math.max(0, ...points.map((p) => p.value ?? 0), ...references.map((r) => r.value)));
  const n = points.length;
  // Runs of consecutive published points: a line never bridges a withheld one.
  const runs: { i: number; value: number }[][] = [];
  points.forEach((p, i) => {
    if (p.value === null || p.value === undefined) return;
    const run = runs.at(-1);
    if (run && run.at(-1)!.i === i - 1) run.push({ i, value: p.value });
    else runs.push([{ i, value: p.value }]);
  });
  return (
    <Chart {...props} top={top} labels={points.map((p) => p.label)}>
      {references.map((r) => (
        <g class={`reference ${r.kind}`}>
          <line x1={PAD.left} x2={WIDTH - PAD.right} y1={y(r.value, top)} y2={y(r.value, top)} />
          <text x={WIDTH - PAD.right - 4} y={y(r.value, top) - 5} text-anchor="end">{`${r.label} ${r.value}`}</text>
        </g>
      ))}
      {runs.map((run) => <polyline class="line" points={run.map((p) => `${centre(p.i, n)},${y(p.value, top)}`).join(' ')} />)}
      {points.map((p, i) => (p.value === undefined ? null : p.value === null
        ? <WithheldMarker id={id} i={i} n={n} top={top} />
        : <circle class="dot" cx={centre(i, n)} cy={y(p.value, top)} r="4" />))}
    </Chart>
  );
}
