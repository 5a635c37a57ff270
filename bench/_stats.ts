// Small helpers shared by benches (files starting with _ are not benches).

/** The q-quantile (0..1) of already-sorted numbers. */
export function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[i]!;
}

export const round = (n: number, digits = 2): number => Math.round(n * 10 ** digits) / 10 ** digits;

/** Parses `--name value` options (numbers or strings, by their default's type); a boolean `--flag` alone is true. */
export function options<T extends Record<string, number | boolean | string>>(args: string[], defaults: T): T {
  const out: Record<string, number | boolean | string> = { ...defaults };
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (!a.startsWith('--')) throw new Error(`unexpected argument "${a}"`);
    const key = a.slice(2).replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
    if (!(key in defaults))
      throw new Error(
        `unknown option ${a}; known: ${Object.keys(defaults)
          .map((k) => `--${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`)
          .join(' ')}`,
      );
    if (typeof defaults[key] === 'boolean') {
      out[key] = true;
    } else if (typeof defaults[key] === 'string') {
      const v = args[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      out[key] = v;
    } else {
      const v = Number(args[++i]);
      if (!Number.isFinite(v) || v <= 0) throw new Error(`${a} needs a positive number`);
      out[key] = v;
    }
  }
  return out as T;
}
