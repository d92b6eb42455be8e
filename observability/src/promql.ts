/**
 * The metric names a PromQL expression reads, found by a small tokenizer rather than a full
 * parser: strings, label matchers `{...}`, range and subquery brackets `[...]`, numbers and
 * durations are skipped; an identifier followed by `(` is a function or aggregation; the label
 * list after by/without/on/ignoring/group_left/group_right is skipped; keywords are dropped.
 * Whatever identifier is left is a metric name.
 */
export function metricNamesIn(expr: string): Set<string> {
  const names = new Set<string>();
  let i = 0;
  let skipLabelList = false;
  while (i < expr.length) {
    const char = expr[i] ?? '';
    if (char === '"' || char === "'" || char === '`') {
      i = skipQuoted(expr, i);
      continue;
    }
    if (char === '#') {
      // A comment runs to the end of the line.
      const end = expr.indexOf('\n', i);
      i = end < 0 ? expr.length : end;
      continue;
    }
    if (char === '{' || char === '[') {
      i = skipBracketed(expr, i, char, char === '{' ? '}' : ']');
      continue;
    }
    if (char === '(' && skipLabelList) {
      skipLabelList = false;
      i = skipBracketed(expr, i, '(', ')');
      continue;
    }
    // Numbers (0.05, 1e-3, 0x1f) and durations (5m, 1h30m) start with a digit or a dot.
    const number = /^(0x[0-9a-f]+|(\d+(\.\d*)?|\.\d+)(e[+-]?\d+)?(\d*(ms|s|m|h|d|w|y))*)/i.exec(
      expr.slice(i),
    );
    if (number?.[0]) {
      i += number[0].length;
      continue;
    }
    const identifier = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(expr.slice(i));
    if (identifier) {
      const word = identifier[0];
      i += word.length;
      const rest = expr.slice(i).trimStart();
      if (LABEL_LIST_KEYWORDS.has(word.toLowerCase())) {
        // group_left / group_right may stand without a list.
        skipLabelList = rest.startsWith('(');
      } else if (rest.startsWith('(')) {
        // A function or an aggregation (sum(...), rate(...)): not a metric.
      } else if (!KEYWORDS.has(word.toLowerCase())) {
        names.add(word);
      }
      continue;
    }
    i += 1;
  }
  return names;
}

/** Keywords followed by a parenthesised list of label names. */
const LABEL_LIST_KEYWORDS = new Set([
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
]);

/**
 * Operators and modifiers that look like identifiers, and the aggregation operators (which may
 * stand before `by (...)` rather than right before their parenthesis).
 */
const KEYWORDS = new Set([
  ...['and', 'or', 'unless', 'bool', 'offset', 'atan2', 'inf', 'nan'],
  ...['sum', 'avg', 'min', 'max', 'count', 'group', 'stddev', 'stdvar', 'topk', 'bottomk'],
  ...['quantile', 'count_values', 'limitk', 'limit_ratio'],
]);

function skipQuoted(expr: string, start: number): number {
  const quote = expr[start];
  let i = start + 1;
  while (i < expr.length && expr[i] !== quote) i += expr[i] === '\\' && quote !== '`' ? 2 : 1;
  return i + 1;
}

function skipBracketed(expr: string, start: number, open: string, close: string): number {
  let depth = 0;
  let i = start;
  while (i < expr.length) {
    const char = expr[i];
    if (char === '"' || char === "'" || char === '`') {
      i = skipQuoted(expr, i);
      continue;
    }
    if (char === open) depth += 1;
    else if (char === close) {
      depth -= 1;
      if (depth === 0) return i + 1;
    }
    i += 1;
  }
  return i;
}

/**
 * The metric names a Prometheus text exposition declares: every `# TYPE` family, with the series
 * a histogram (`_bucket`, `_sum`, `_count`) or summary (`_sum`, `_count`) also exports, plus any
 * sample's name.
 */
export function exportedMetricNames(exposition: string): Set<string> {
  const names = new Set<string>();
  for (const line of exposition.split('\n')) {
    const type = /^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (\w+)/.exec(line);
    if (type) {
      const [, name = '', kind] = type;
      names.add(name);
      if (kind === 'histogram')
        for (const suffix of ['_bucket', '_sum', '_count']) names.add(name + suffix);
      if (kind === 'summary') for (const suffix of ['_sum', '_count']) names.add(name + suffix);
      continue;
    }
    const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*)[{ ]/.exec(line);
    if (sample?.[1]) names.add(sample[1]);
  }
  return names;
}

/** `# HELP` text per metric family. */
export function helpTexts(exposition: string): Map<string, string> {
  const help = new Map<string, string>();
  for (const line of exposition.split('\n')) {
    const match = /^# HELP ([a-zA-Z_:][a-zA-Z0-9_:]*) ?(.*)$/.exec(line);
    if (match?.[1]) help.set(match[1], match[2] ?? '');
  }
  return help;
}
