// Kubernetes resource quantities as numbers: CPU in cores, memory in bytes.
const BIN: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40 };
const DEC: Record<string, number> = { m: 1e-3, '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12 };

export function parseQuantity(q: string | number | undefined): number {
  if (q === undefined || q === null || q === '') return 0;
  if (typeof q === 'number') return q;
  const m = /^([0-9.]+)(Ki|Mi|Gi|Ti|m|k|M|G|T)?$/.exec(q.trim());
  if (!m) throw new Error(`not a resource quantity: ${JSON.stringify(q)}`);
  const unit = m[2] ?? '';
  return Number(m[1]) * (BIN[unit] ?? DEC[unit]);
}

export const GiB = 2 ** 30;
export const MiB = 2 ** 20;
