// kubectl-style plain tables for the kfed command: upper-case headers, columns three spaces apart.
export function columns(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const cells = rows.map((r) => r.map((v) => (v === '' ? '-' : v)));
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((c) => (c[i] ?? '').length)));
  const line = (values: readonly string[]): string =>
    values.map((v, i) => (i === values.length - 1 ? v : v.padEnd((widths[i] as number) + 3))).join('');
  return [line(headers), ...cells.map(line)].join('\n') + '\n';
}
