/**
 * A hand-written SVG line chart (no dependencies): linear x axis (logarithmic when
 * the values span more than 20×, e.g. an engine at 10–100 k/s beside an echo at 1 M/s), logarithmic y axis
 * (latency spans decades), one polyline per series with a dot per point (joined in
 * the order given: a sweep's steps, so an overloaded step that achieved less than the
 * one before folds back to the left), optional
 * horizontal reference lines (a latency bound), and a legend. Used for the
 * latency-vs-throughput chart of the e2e benchmark; `rsvg-convert` (librsvg2-bin)
 * turns it into a PNG when installed.
 */

export interface ChartPoint {
  x: number;
  y: number;
}

export interface ChartSeries {
  name: string;
  color: string;
  dashed?: boolean;
  points: ChartPoint[];
}

export interface ChartOptions {
  title: string;
  subtitle?: string;
  xLabel: string;
  yLabel: string;
  series: ChartSeries[];
  /** Logarithmic x axis (default: when the x values span more than 20×). */
  xLog?: boolean;
  /** Horizontal reference lines (y in data units). */
  hLines?: { y: number; label: string }[];
  /** Format of x tick labels (default 12 k / 1.2 M). */
  xFormat?: (v: number) => string;
  /** Format of y tick labels (default: the number). */
  yFormat?: (v: number) => string;
  width?: number;
  height?: number;
}

/** Escapes text for XML content and attribute values. */
export function xmlEscape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

/** 1, 2 or 5 × 10^k ≥ v/count: a step giving about `count` ticks up to v. */
export function niceStep(max: number, count = 5): number {
  if (!(max > 0)) return 1;
  const raw = max / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  for (const m of [1, 2, 5, 10]) if (m * mag >= raw) return m * mag;
  return 10 * mag;
}

export function shortNumber(v: number): string {
  const a = Math.abs(v);
  if (a >= 1e6) return `${+(v / 1e6).toFixed(2)} M`;
  if (a >= 1e3) return `${+(v / 1e3).toFixed(1)} k`;
  return `${+v.toFixed(2)}`;
}

const f1 = (v: number): string => (Math.round(v * 10) / 10).toString();

export function lineChartSvg(o: ChartOptions): string {
  const W = o.width ?? 960;
  const H = o.height ?? 560;
  const longest = Math.max(0, ...o.series.map((s) => s.name.length));
  const m = { left: 80, right: Math.max(150, 60 + Math.ceil(longest * 6.6)), top: o.subtitle ? 70 : 50, bottom: 60 };
  const pw = W - m.left - m.right;
  const ph = H - m.top - m.bottom;
  const xf = o.xFormat ?? shortNumber;
  const yf = o.yFormat ?? ((v: number) => shortNumber(v));
  const pts = o.series.flatMap((s) => s.points).filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y) && p.y > 0);
  const ys = [...pts.map((p) => p.y), ...(o.hLines ?? []).map((l) => l.y)];
  const xMaxData = Math.max(1, ...pts.map((p) => p.x));
  const xMinData = Math.max(1, Math.min(...pts.map((p) => p.x).filter((x) => x > 0), xMaxData));
  const xLog = o.xLog ?? xMaxData / xMinData > 20;
  const xStep = niceStep(xMaxData, 6);
  const xMax = Math.ceil(xMaxData / xStep) * xStep;
  const xLoExp = Math.floor(Math.log10(xMinData));
  /** Left end of a log x axis: the largest 1, 2 or 5 × 10^k not above the smallest x. */
  const xLo = [5, 2, 1].map((k) => k * 10 ** xLoExp).find((v) => v <= xMinData) ?? 10 ** xLoExp;
  let xHiExp = Math.ceil(Math.log10(xMaxData));
  if (xHiExp <= xLoExp) xHiExp = xLoExp + 1;
  const yMinExp = Math.floor(Math.log10(Math.min(...(ys.length ? ys : [1]))));
  let yMaxExp = Math.ceil(Math.log10(Math.max(...(ys.length ? ys : [10]))));
  if (yMaxExp <= yMinExp) yMaxExp = yMinExp + 1;
  const X = (x: number): number =>
    xLog ? m.left + ((Math.log10(Math.max(x, xLo)) - Math.log10(xLo)) / (xHiExp - Math.log10(xLo))) * pw : m.left + (x / xMax) * pw;
  const Y = (y: number): number => m.top + ph - ((Math.log10(y) - yMinExp) / (yMaxExp - yMinExp)) * ph;

  const out: string[] = [];
  out.push(`<?xml version="1.0" encoding="UTF-8"?>`);
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="Helvetica, Arial, sans-serif" font-size="12">`);
  out.push(`<rect x="0" y="0" width="${W}" height="${H}" fill="#ffffff"/>`);
  out.push(`<text x="${m.left}" y="28" font-size="16" font-weight="bold">${xmlEscape(o.title)}</text>`);
  if (o.subtitle) out.push(`<text x="${m.left}" y="48" font-size="11" fill="#555555">${xmlEscape(o.subtitle)}</text>`);

  // grid + y ticks (decades, with 2 and 5 minor lines)
  for (let e = yMinExp; e <= yMaxExp; e++) {
    const y = Y(10 ** e);
    out.push(`<line x1="${m.left}" y1="${f1(y)}" x2="${m.left + pw}" y2="${f1(y)}" stroke="#cccccc" stroke-width="1"/>`);
    out.push(`<text x="${m.left - 8}" y="${f1(y + 4)}" text-anchor="end">${xmlEscape(yf(10 ** e))}</text>`);
    if (e < yMaxExp) {
      for (const k of [2, 5]) {
        const ym = Y(k * 10 ** e);
        out.push(`<line x1="${m.left}" y1="${f1(ym)}" x2="${m.left + pw}" y2="${f1(ym)}" stroke="#eeeeee" stroke-width="1"/>`);
        out.push(`<text x="${m.left - 8}" y="${f1(ym + 4)}" text-anchor="end" fill="#888888" font-size="10">${xmlEscape(yf(k * 10 ** e))}</text>`);
      }
    }
  }
  // x ticks (log: 1, 2, 5 per decade)
  const xTicks: number[] = [];
  if (xLog) {
    for (let e = xLoExp; e <= xHiExp; e++) for (const k of e < xHiExp ? [1, 2, 5] : [1]) if (k * 10 ** e >= xLo) xTicks.push(k * 10 ** e);
  } else for (let x = 0; x <= xMax + 1e-9; x += xStep) xTicks.push(x);
  for (const x of xTicks) {
    const px = X(x);
    out.push(`<line x1="${f1(px)}" y1="${m.top}" x2="${f1(px)}" y2="${m.top + ph}" stroke="#eeeeee" stroke-width="1"/>`);
    out.push(`<text x="${f1(px)}" y="${m.top + ph + 18}" text-anchor="middle">${xmlEscape(xf(x))}</text>`);
  }
  // axes
  out.push(`<line x1="${m.left}" y1="${m.top + ph}" x2="${m.left + pw}" y2="${m.top + ph}" stroke="#333333" stroke-width="1.5"/>`);
  out.push(`<line x1="${m.left}" y1="${m.top}" x2="${m.left}" y2="${m.top + ph}" stroke="#333333" stroke-width="1.5"/>`);
  out.push(`<text x="${m.left + pw / 2}" y="${H - 15}" text-anchor="middle">${xmlEscape(o.xLabel)}</text>`);
  out.push(`<text x="20" y="${m.top + ph / 2}" text-anchor="middle" transform="rotate(-90 20 ${m.top + ph / 2})">${xmlEscape(o.yLabel)}</text>`);
  // reference lines
  for (const l of o.hLines ?? []) {
    const y = Y(l.y);
    out.push(`<line x1="${m.left}" y1="${f1(y)}" x2="${m.left + pw}" y2="${f1(y)}" stroke="#cc0000" stroke-width="1" stroke-dasharray="2,3"/>`);
    out.push(`<text x="${m.left + pw - 4}" y="${f1(y - 5)}" text-anchor="end" fill="#cc0000" font-size="11">${xmlEscape(l.label)}</text>`);
  }
  // series
  for (const s of o.series) {
    const sp = s.points.filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y) && p.y > 0);
    if (sp.length === 0) continue;
    const dash = s.dashed ? ' stroke-dasharray="6,4"' : '';
    out.push(`<polyline fill="none" stroke="${s.color}" stroke-width="2"${dash} points="${sp.map((p) => `${f1(X(p.x))},${f1(Y(p.y))}`).join(' ')}"/>`);
    for (const p of sp) out.push(`<circle cx="${f1(X(p.x))}" cy="${f1(Y(p.y))}" r="3" fill="${s.color}"/>`);
  }
  // legend
  const lx = m.left + pw + 20;
  o.series.forEach((s, i) => {
    const ly = m.top + 10 + i * 20;
    const dash = s.dashed ? ' stroke-dasharray="6,4"' : '';
    out.push(`<line x1="${lx}" y1="${ly}" x2="${lx + 28}" y2="${ly}" stroke="${s.color}" stroke-width="2"${dash}/>`);
    out.push(`<text x="${lx + 34}" y="${ly + 4}">${xmlEscape(s.name)}</text>`);
  });
  out.push(`</svg>`);
  return `${out.join('\n')}\n`;
}

/**
 * A minimal well-formedness check (tags balance, attributes quoted, entities known):
 * enough to catch a broken hand-written SVG without an XML library.
 * Returns null when well formed, else what is wrong.
 */
export function xmlProblem(xml: string): string | null {
  const body = xml.replace(/^<\?xml[^?]*\?>\s*/, '');
  const stack: string[] = [];
  const tag = /<(\/?)([A-Za-z][\w:-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>/y;
  let at = 0;
  while (at < body.length) {
    const lt = body.indexOf('<', at);
    const text = lt < 0 ? body.slice(at) : body.slice(at, lt);
    if (/&(?!(amp|lt|gt|quot|apos|#\d+);)/.test(text)) return `bad entity in text near offset ${at}`;
    if (lt < 0) break;
    tag.lastIndex = lt;
    const mt = tag.exec(body);
    if (!mt) return `malformed tag at offset ${lt}: ${body.slice(lt, lt + 60)}`;
    const [, close, name, , selfClose] = mt;
    if (close) {
      if (stack.pop() !== name) return `unexpected </${name}> at offset ${lt}`;
    } else if (!selfClose) stack.push(name);
    at = tag.lastIndex;
  }
  return stack.length ? `unclosed <${stack[stack.length - 1]}>` : null;
}
