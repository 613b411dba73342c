/**
 * Reads a scenario YAML file, merges command-line overrides on top, and validates the result. Every
 * problem is reported with the file and the dotted field path, and what was expected.
 */
import { readFileSync } from 'node:fs';
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { ConfigError } from '../core/errors.ts';
import { scenarioSchema, type Scenario, type ScenarioInput } from './scenario-schema.ts';

/** Parses YAML text; syntax errors name the file, line and column. */
export function parseScenarioYaml(text: string, file: string): Record<string, unknown> {
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    const pos = e.linePos?.[0];
    const where = pos ? `${file}:${pos.line}:${pos.col}` : file;
    throw new ConfigError(`${where}: invalid YAML: ${e.message.split('\n')[0]}`, { file });
  }
  const value: unknown = doc.toJS();
  if (value === null || value === undefined) return {};
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new ConfigError(`${file}: a scenario must be a mapping of fields, got ${Array.isArray(value) ? 'a list' : typeof value}`, { file });
  }
  return value as Record<string, unknown>;
}

export function readScenarioFile(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new ConfigError(`${file}: cannot read scenario file (${code === 'ENOENT' ? 'no such file' : code})`, { file }, { cause: err });
  }
  return parseScenarioYaml(text, file);
}

/** Formats the first few zod issues as `file: field "a.b": message`. */
export function formatIssues(file: string, issues: readonly z.core.$ZodIssue[]): string {
  return issues
    .slice(0, 5)
    .map((i) => {
      const field = i.path.map(String).join('.') || '(top level)';
      let msg = i.message;
      if (i.code === 'unrecognized_keys') msg = `unknown field(s) ${i.keys.map((k) => `"${k}"`).join(', ')}`;
      return `${file}: field "${field}": ${msg}`;
    })
    .join('\n');
}

/** Deep-merges `override` onto `base` (objects merge, everything else replaces). */
export function mergeInput(base: Record<string, unknown>, override: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(override)) {
    if (v === undefined) continue;
    const b = out[k];
    out[k] = isPlainObject(b) && isPlainObject(v) ? mergeInput(b, v) : v;
  }
  return out;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Validates a raw scenario (file content merged with overrides). `label` names its origin in errors. */
export function validateScenario(raw: Record<string, unknown>, label: string): Scenario {
  const parsed = scenarioSchema.safeParse(raw as ScenarioInput);
  if (!parsed.success) throw new ConfigError(formatIssues(label, parsed.error.issues), { file: label });
  return parsed.data;
}
