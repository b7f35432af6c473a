/**
 * Minimal argument parser for subcommands: `--key value`, `--key=value`, boolean `--flag`,
 * positional arguments. Unknown options are errors naming the option.
 */
export interface OptionSpec {
  /** true = takes a value; false = boolean flag. */
  readonly value: boolean;
  /** Option may be given several times (values collected). */
  readonly multiple?: boolean;
}

export interface ParsedArgs {
  readonly options: Map<string, string[]>;
  readonly flags: Set<string>;
  readonly positional: string[];
}

export function parseArgs(argv: readonly string[], spec: Record<string, OptionSpec>): ParsedArgs {
  const options = new Map<string, string[]>();
  const flags = new Set<string>();
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === "--") { positional.push(...argv.slice(i + 1)); break; }
    if (!a.startsWith("--")) { positional.push(a); continue; }
    const eq = a.indexOf("=");
    const key = eq > 0 ? a.slice(2, eq) : a.slice(2);
    const s = spec[key];
    if (!s) throw new Error(`unknown option --${key}`);
    if (!s.value) {
      if (eq > 0) throw new Error(`option --${key} takes no value`);
      flags.add(key);
      continue;
    }
    let v: string | undefined;
    if (eq > 0) v = a.slice(eq + 1);
    else { v = argv[i + 1]; i++; }
    if (v === undefined) throw new Error(`option --${key} needs a value`);
    const list = options.get(key) ?? [];
    if (list.length > 0 && !s.multiple) throw new Error(`option --${key} given twice`);
    list.push(v);
    options.set(key, list);
  }
  return { options, flags, positional };
}

export function getString(p: ParsedArgs, key: string): string | undefined {
  return p.options.get(key)?.[0];
}

export function getNumber(p: ParsedArgs, key: string, fallback: number, { integer = false, min = -Infinity } = {}): number {
  const s = getString(p, key);
  if (s === undefined) return fallback;
  const v = Number(s);
  if (!Number.isFinite(v) || (integer && !Number.isInteger(v)) || v < min) {
    throw new Error(`option --${key}: '${s}' is not a valid ${integer ? "integer" : "number"}${min > -Infinity ? ` ≥ ${min}` : ""}`);
  }
  return v;
}
