/**
 * Settings of an experiment run: the strict parsers the CLI uses, the defaults,
 * the check that an experiment is only given settings it takes, the canonical
 * command that reproduces a run, and the fingerprint that ties unit results
 * to the settings that made them.
 */
import { createHash } from 'node:crypto';
import type { EngineKind } from './engine.ts';
import type { Experiment, ExperimentSettings, NetworkChoice, SettingName } from './experiment.ts';
import { findDesign } from '../../gen/designs.ts';
import type { InputSize } from '../workloads/layer-table.ts';
import { getNetwork, networkNames } from '../workloads/networks/index.ts';
import { getGenerator } from '../workloads/sparsity/generators.ts';

/** Settings as the command line gives them, before defaults; each already passed its parser. */
export type GivenSettings = Partial<ExperimentSettings>;

/** The flag of each setting, for messages and the canonical command. */
export const SETTING_FLAGS: Record<SettingName, string> = {
  nets: '--nets',
  sparsities: '--sparsity',
  generators: '--generator',
  designs: '--designs',
  batch: '--batch',
  seed: '--seed',
  array: '--array',
  engine: '--engine',
  layers: '--layers',
  maxProducts: '--max-products',
  validateRtl: '--validate-rtl',
};

const COMMON_DEFAULTS = { batch: 4, seed: 1, array: { px: 8, py: 8 }, engine: 'model' as EngineKind, layers: [] as number[], maxProducts: null as number | null, validateRtl: 0 };

/** Input size of each network when --nets names it without one: the inputs of ANT's evaluation. */
const DEFAULT_INPUT: Record<string, InputSize> = {
  alexnet: 'imagenet',
  vgg16: 'cifar',
  resnet18: 'cifar',
  resnet50: 'imagenet',
  densenet121: 'cifar',
  'wrn-16-8': 'cifar',
};

/** Thrown for a setting that is well-formed but wrong; the CLI prints its message alone. */
export class SettingsError extends Error {
  override readonly name = 'SettingsError';
}

/** Splits the values of a list option: `--nets a b`, `--nets a,b` and `--nets a --nets b` all work. */
export function splitList(values: readonly string[]): string[] {
  return values.flatMap((v) => v.split(',')).map((v) => v.trim()).filter((v) => v !== '');
}

const DECIMAL = /^(\d+(\.\d*)?|\.\d+)$/;

export function parseFraction(text: string): number {
  const t = text.trim();
  if (!DECIMAL.test(t)) throw new SettingsError(`sparsity "${text}" is not a decimal number; give fractions of zeros from 0 to 1, e.g. 0.9`);
  const value = Number(t);
  if (value < 0 || value > 1) throw new SettingsError(`sparsity ${text} is outside [0, 1]; give fractions of zeros, e.g. 0.9`);
  return value;
}

export function parseInteger(what: string, text: string, min: number, max: number): number {
  const t = text.trim();
  if (!/^\d+$/.test(t)) throw new SettingsError(`${what} "${text}" is not a whole number from ${min} to ${max}`);
  const value = Number(t);
  if (value < min || value > max) throw new SettingsError(`${what} ${text} is outside ${min}..${max}`);
  return value;
}

export function parseArray(text: string): { px: number; py: number } {
  const m = /^(\d+)x(\d+)$/.exec(text.trim());
  if (!m) throw new SettingsError(`array "${text}" is not of the form PXxPY, e.g. 8x8`);
  return { px: parseInteger('array width', m[1]!, 1, 64), py: parseInteger('array height', m[2]!, 1, 64) };
}

export function parseEngine(text: string): EngineKind {
  if (text !== 'model' && text !== 'rtl') throw new SettingsError(`engine "${text}" is not one of: model, rtl`);
  return text;
}

/** `all`, or layer indices and ranges in table order: `0,3-5`. */
export function parseLayers(values: readonly string[]): number[] {
  if (values.length === 0) throw new SettingsError('--layers needs at least one value');
  if (values.length === 1 && values[0] === 'all') return [];
  const out: number[] = [];
  for (const v of values) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(v);
    if (!m) throw new SettingsError(`layers "${v}" is not a layer index or range (e.g. 0,3-5) or all`);
    const lo = Number(m[1]);
    const hi = m[2] === undefined ? lo : Number(m[2]);
    if (hi < lo) throw new SettingsError(`layer range ${v} is empty; give low-high`);
    for (let i = lo; i <= hi; i++) out.push(i);
  }
  return out;
}

/** A product count (`1e8`, `250000000`) or `all` (never sample). */
export function parseMaxProducts(text: string): number | null {
  const t = text.trim();
  if (t === 'all') return null;
  if (!/^\d+(e\d+)?$/.test(t) || Number(t) < 1 || !Number.isSafeInteger(Number(t))) {
    throw new SettingsError(`max-products "${text}" is not a positive whole number (e.g. 1e8) or all`);
  }
  return Number(t);
}

export interface Shard {
  /** 1-based. */
  readonly index: number;
  readonly count: number;
}

export function parseShard(text: string): Shard {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  if (!m) throw new SettingsError(`shard "${text}" is not of the form i/n with 1 <= i <= n, e.g. 2/8`);
  const index = Number(m[1]);
  const count = Number(m[2]);
  if (count < 1 || index < 1 || index > count) throw new SettingsError(`shard ${text} needs 1 <= i <= n, e.g. 2/8`);
  return { index, count };
}

/** `name` or `name:cifar|imagenet`; the table must exist. */
export function parseNetwork(text: string): NetworkChoice {
  const [name = '', input, extra] = text.split(':');
  if (extra !== undefined) throw new SettingsError(`network "${text}" is not of the form name or name:cifar|imagenet`);
  if (!networkNames().includes(name)) throw new SettingsError(`unknown network "${name}"; choose one of: ${networkNames().join(', ')}`);
  if (input !== undefined && input !== 'cifar' && input !== 'imagenet') {
    throw new SettingsError(`unknown input "${input}" in "${text}"; use cifar or imagenet`);
  }
  const choice: NetworkChoice = { name, input: (input as InputSize | undefined) ?? DEFAULT_INPUT[name] ?? 'imagenet' };
  try {
    getNetwork(choice.name, choice.input);
  } catch (e) {
    throw new SettingsError(`${(e as Error).message.replace('--input ', `--nets ${name}:`)}`);
  }
  return choice;
}

export function parseGenerator(name: string): string {
  try {
    return getGenerator(name).name;
  } catch (e) {
    throw new SettingsError((e as Error).message);
  }
}

export function parseDesign(name: string): string {
  try {
    return findDesign(name).name;
  } catch (e) {
    throw new SettingsError((e as Error).message);
  }
}

function unique<T>(flag: string, values: readonly T[], key: (v: T) => string): readonly T[] {
  const seen = new Set<string>();
  for (const v of values) {
    const k = key(v);
    if (seen.has(k)) throw new SettingsError(`${flag} names ${k} twice`);
    seen.add(k);
  }
  return values;
}

/** Fills in defaults and refuses settings the experiment does not take. */
export function resolveSettings(experiment: Experiment, given: GivenSettings): ExperimentSettings {
  for (const key of Object.keys(given) as SettingName[]) {
    if (given[key] !== undefined && !experiment.accepts.includes(key)) {
      const takes = experiment.accepts.map((k) => SETTING_FLAGS[k]).join(', ') || 'no settings';
      throw new SettingsError(`experiment "${experiment.name}" does not take ${SETTING_FLAGS[key]} (it takes ${takes})`);
    }
  }
  const settings: ExperimentSettings = {
    nets: [],
    sparsities: [],
    generators: [],
    designs: [],
    ...COMMON_DEFAULTS,
    ...experiment.defaults,
    ...Object.fromEntries(Object.entries(given).filter(([, v]) => v !== undefined)),
  };
  unique('--nets', settings.nets, (n) => `${n.name}:${n.input}`);
  unique('--sparsity', settings.sparsities, String);
  unique('--generator', settings.generators, String);
  unique('--designs', settings.designs, String);
  unique('--layers', settings.layers, String);
  if (settings.validateRtl > 0 && settings.engine === 'rtl') {
    throw new SettingsError('--validate-rtl measures the model engine against the RTL; with --engine rtl every pass already runs on the RTL, checked counter for counter. Drop one of them');
  }
  experiment.validate?.(settings);
  return settings;
}

function settingText(key: SettingName, settings: ExperimentSettings): string {
  switch (key) {
    case 'nets':
      return settings.nets.map((n) => `${n.name}:${n.input}`).join(',');
    case 'sparsities':
      return settings.sparsities.join(',');
    case 'generators':
      return settings.generators.join(',');
    case 'designs':
      return settings.designs.join(',');
    case 'array':
      return `${settings.array.px}x${settings.array.py}`;
    case 'layers':
      return settings.layers.length ? settings.layers.join(',') : 'all';
    case 'maxProducts':
      return settings.maxProducts === null ? 'all' : String(settings.maxProducts);
    default:
      return String(settings[key]);
  }
}

/** The settings an experiment takes, in a fixed order: what the fingerprint and results.json record. */
export function effectiveSettings(experiment: Experiment, settings: ExperimentSettings): Partial<ExperimentSettings> {
  const keys = (Object.keys(SETTING_FLAGS) as SettingName[]).filter((k) => experiment.accepts.includes(k));
  return Object.fromEntries(keys.map((k) => [k, settings[k]]));
}

/** The command that reproduces the run (every setting spelled out, no shard, no output folder). */
export function canonicalCommand(experiment: Experiment, settings: ExperimentSettings): string {
  const keys = (Object.keys(SETTING_FLAGS) as SettingName[]).filter((k) => experiment.accepts.includes(k));
  return ['npm run experiment --', experiment.name, ...keys.map((k) => `${SETTING_FLAGS[k]} ${settingText(k, settings)}`)].join(' ');
}

/** Sampled RTL validations most a run takes (each is a Verilator run of a pass). */
export const MAX_VALIDATE_RTL = 10000;

/** Pass runs to validate on the RTL: a whole number, 0 = none. */
export function parseValidateRtl(text: string): number {
  return parseInteger('validate-rtl', text, 0, MAX_VALIDATE_RTL);
}

/**
 * Ties unit results to the experiment and settings that made them. Leaves out
 * --validate-rtl, which changes what is checked after the units, never a
 * unit's figures: adding a validation to a finished run reuses its units.
 */
export function settingsFingerprint(experiment: Experiment, settings: ExperimentSettings): string {
  const { validateRtl: _validation, ...unitSettings } = effectiveSettings(experiment, settings);
  const text = JSON.stringify({ experiment: experiment.name, settings: unitSettings });
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}
