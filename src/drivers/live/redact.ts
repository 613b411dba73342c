/**
 * Keeps credentials out of every message the live driver emits or throws (RELIABILITY rule 12). ccxt's
 * error messages carry the request URL and the response body; neither should hold a key, but a venue
 * (or an emulator) may echo one back, and Binance's URLs carry the request signature.
 */

/** Credentials shorter than this are not searched for: masking "a" would garble every message. */
const MIN_SECRET_LENGTH = 4;

export type Redactor = (text: string) => string;

/** A function that masks each of `secrets`, request signatures and bearer tokens in a text. */
export function makeRedactor(secrets: ReadonlyArray<string | undefined | null>): Redactor {
  const words = [...new Set(secrets.filter((s): s is string => typeof s === 'string' && s.length >= MIN_SECRET_LENGTH))]
    // Longest first, so a secret that contains another is masked whole.
    .sort((a, b) => b.length - a.length);
  return (text: string) => {
    let out = text;
    for (const w of words) out = out.split(w).join('***');
    return out
      .replace(/([?&]signature=)[^&\s"']+/gi, '$1***')
      .replace(/(Bearer\s+)[A-Za-z0-9._~+/=-]+/g, '$1***');
  };
}

/** The credential fields of a ccxt exchange (whichever it uses). */
export function exchangeSecrets(ex: object): string[] {
  const e = ex as Record<string, unknown>;
  return ['apiKey', 'secret', 'password', 'uid', 'privateKey', 'token', 'login', 'walletAddress']
    .map((k) => e[k])
    .filter((v): v is string => typeof v === 'string');
}
