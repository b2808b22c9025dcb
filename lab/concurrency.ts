// At most `limit` calls of `fn` at a time, results in input order. The lab's API reads and dry-runs
// are independent and each waits ~10 ms on the server: done one after another they dominated
// `lab status` and a second `lab up`.
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/** How many API requests the lab keeps in flight for independent reads (client-side limits allow far more). */
export const API_CONCURRENCY = 16;
