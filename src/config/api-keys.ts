/**
 * API keys for live mode: from the environment (`TRADEFLOW_<VENUE>_API_KEY`, `TRADEFLOW_<VENUE>_SECRET`)
 * or a key file readable only by its owner. Keys are held in a class whose string forms are redacted,
 * so an accidental log line or JSON dump never carries them.
 */
import { readFileSync, statSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { ConfigError } from '../core/errors.ts';
import type { VenueId } from '../domain/types.ts';

export class ApiCredentials {
  readonly #apiKey: string;
  readonly #secret: string;
  constructor(readonly venue: VenueId, apiKey: string, secret: string) {
    this.#apiKey = apiKey;
    this.#secret = secret;
  }
  /** The raw values, for the one place that needs them: the ccxt constructor. */
  reveal(): { apiKey: string; secret: string } {
    return { apiKey: this.#apiKey, secret: this.#secret };
  }
  toString(): string {
    return `[credentials for ${this.venue}: redacted]`;
  }
  toJSON(): string {
    return this.toString();
  }
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }
}

export function envNames(venue: VenueId): { key: string; secret: string } {
  const v = venue.toUpperCase().replace(/[^A-Z0-9]/g, '_');
  return { key: `TRADEFLOW_${v}_API_KEY`, secret: `TRADEFLOW_${v}_SECRET` };
}

/**
 * Loads credentials for each venue: the key file first (if given), then the environment. Throws a
 * ConfigError naming every missing variable when a venue has none.
 */
export function loadCredentials(
  venues: readonly VenueId[],
  env: NodeJS.ProcessEnv,
  keyFile?: string,
): Map<VenueId, ApiCredentials> {
  const fromFile = keyFile ? readKeyFile(keyFile) : {};
  const out = new Map<VenueId, ApiCredentials>();
  const missing: string[] = [];
  for (const venue of venues) {
    const f = fromFile[venue];
    if (f) {
      out.set(venue, new ApiCredentials(venue, f.apiKey, f.secret));
      continue;
    }
    const n = envNames(venue);
    const key = env[n.key];
    const secret = env[n.secret];
    if (key && secret) out.set(venue, new ApiCredentials(venue, key, secret));
    else missing.push(...(!key ? [n.key] : []), ...(!secret ? [n.secret] : []));
  }
  if (missing.length > 0) {
    throw new ConfigError(
      `live mode needs API keys: set ${missing.join(', ')} in the environment${keyFile ? ` or add the venue to ${keyFile}` : ' or pass --key-file FILE'}`,
      { missing },
    );
  }
  return out;
}

/** A YAML/JSON map `venue: { apiKey, secret }`; refused unless only its owner can read it. */
export function readKeyFile(file: string): Record<string, { apiKey: string; secret: string }> {
  let mode: number;
  try {
    mode = statSync(file).mode;
  } catch {
    throw new ConfigError(`${file}: key file not found`, { file });
  }
  if ((mode & 0o077) !== 0) {
    throw new ConfigError(`${file}: key file must be readable only by its owner (chmod 600 ${file}); it is ${(mode & 0o777).toString(8)}`, { file });
  }
  let parsed: unknown;
  try {
    parsed = parseYaml(readFileSync(file, 'utf8'));
  } catch {
    // Never echo the parser's message: it may quote the file's content.
    throw new ConfigError(`${file}: key file is not valid YAML/JSON`, { file });
  }
  if (typeof parsed !== 'object' || parsed === null) throw new ConfigError(`${file}: expected a map of venue → { apiKey, secret }`, { file });
  const out: Record<string, { apiKey: string; secret: string }> = {};
  for (const [venue, v] of Object.entries(parsed as Record<string, unknown>)) {
    const o = v as Record<string, unknown> | null;
    if (!o || typeof o.apiKey !== 'string' || typeof o.secret !== 'string') {
      throw new ConfigError(`${file}: field "${venue}": expected { apiKey: string, secret: string }`, { file, field: venue });
    }
    out[venue] = { apiKey: o.apiKey, secret: o.secret };
  }
  return out;
}
