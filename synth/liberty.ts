import fs from 'node:fs';
import { MissingLibertyError } from './errors.ts';

/** What the area flow needs to know about one standard cell. */
export interface LibertyCell {
  readonly name: string;
  /** Liberty area; for the OSU libraries this is um^2 (it matches the LEF footprints). */
  readonly area: number;
  readonly sequential: 'flip-flop' | 'latch' | null;
  /** For flip-flops: the clocked_on expression, e.g. "CLK" or "!CLK". */
  readonly clockedOn: string | null;
  /** For flip-flops: whether the cell has an asynchronous clear or preset. */
  readonly hasSetReset: boolean;
}

export interface Liberty {
  readonly path: string;
  readonly name: string;
  readonly cells: ReadonlyMap<string, LibertyCell>;
}

/** A liberty group `name (args) { ... }` with its simple attributes and subgroups. */
interface Group {
  readonly kind: string;
  readonly args: string[];
  readonly attributes: Map<string, string>;
  readonly groups: Group[];
}

const cache = new Map<string, Liberty>();

/** Reads the cells of a liberty file, failing with an install hint when it is missing. */
export function readLiberty(libertyPath: string): Liberty {
  const cached = cache.get(libertyPath);
  if (cached) return cached;
  if (!fs.existsSync(libertyPath)) throw new MissingLibertyError(libertyPath);
  const library = parseLiberty(fs.readFileSync(libertyPath, 'utf8'), libertyPath);
  const cells = new Map<string, LibertyCell>();
  for (const g of library.groups) {
    if (g.kind !== 'cell' || g.args.length !== 1) continue;
    const name = g.args[0]!;
    const area = Number(g.attributes.get('area') ?? 'NaN');
    if (!Number.isFinite(area)) throw new Error(`${libertyPath}: cell ${name} has no numeric area`);
    const ff = g.groups.find((s) => s.kind === 'ff');
    const latch = g.groups.find((s) => s.kind === 'latch');
    cells.set(name, {
      name,
      area,
      sequential: ff ? 'flip-flop' : latch ? 'latch' : null,
      clockedOn: ff?.attributes.get('clocked_on') ?? null,
      hasSetReset: ff !== undefined && (ff.attributes.has('clear') || ff.attributes.has('preset')),
    });
  }
  if (cells.size === 0) throw new Error(`${libertyPath}: no cells found; is this a liberty file?`);
  const lib: Liberty = { path: libertyPath, name: library.args[0] ?? '', cells };
  cache.set(libertyPath, lib);
  return lib;
}

/** The smallest positive-edge flip-flop without set/reset: the storage element of a flip-flop memory. */
export function plainFlipFlop(lib: Liberty): LibertyCell {
  const candidates = [...lib.cells.values()].filter(
    (c) => c.sequential === 'flip-flop' && !c.hasSetReset && c.clockedOn !== null && !c.clockedOn.replace(/[\s()]/g, '').startsWith('!'),
  );
  return smallest(candidates, lib, 'positive-edge flip-flop without set/reset');
}

/** The smallest 2:1 multiplexer cell, recognised by the customary MUX2 name. */
export function mux2(lib: Liberty): LibertyCell {
  return smallest(
    [...lib.cells.values()].filter((c) => /^MUX2/i.test(c.name)),
    lib,
    '2:1 multiplexer (a cell named MUX2*)',
  );
}

function smallest(cells: LibertyCell[], lib: Liberty, what: string): LibertyCell {
  if (cells.length === 0) throw new Error(`${lib.path}: the memory model needs a ${what}, and the library has none`);
  return cells.reduce((a, b) => (b.area < a.area ? b : a));
}

// ----------------------------------------------------------------------------
// A small liberty reader: enough of the syntax for cells, areas and ff groups.

function tokenize(text: string): string[] {
  const tokens: string[] = [];
  const re = /\/\*[\s\S]*?\*\/|\/\/[^\n]*|\\\r?\n|\s+|"(?:[^"\\]|\\.)*"|[(){}:;,]|[^\s(){}:;,"]+/g;
  for (const m of text.matchAll(re)) {
    const t = m[0];
    if (/^\s/.test(t) || t.startsWith('/*') || t.startsWith('//') || t.startsWith('\\')) continue;
    tokens.push(t.startsWith('"') ? t.slice(1, -1) : t);
  }
  return tokens;
}

function parseLiberty(text: string, file: string): Group {
  const tokens = tokenize(text);
  let i = 0;
  const fail = (msg: string): never => {
    throw new Error(`${file}: cannot parse liberty (${msg} near token ${i}: '${tokens.slice(Math.max(0, i - 3), i + 3).join(' ')}')`);
  };
  const expect = (t: string): void => {
    if (tokens[i] !== t) fail(`expected '${t}'`);
    i++;
  };

  function parseGroupBody(kind: string, args: string[]): Group {
    const group: Group = { kind, args, attributes: new Map(), groups: [] };
    while (i < tokens.length && tokens[i] !== '}') {
      const name = tokens[i++]!;
      if (tokens[i] === ':') {
        i++;
        const value: string[] = [];
        while (i < tokens.length && tokens[i] !== ';' && tokens[i] !== '}') {
          // A simple attribute whose ';' is missing ends where the next statement starts.
          if (value.length > 0 && (tokens[i + 1] === ':' || tokens[i + 1] === '(')) break;
          value.push(tokens[i++]!);
        }
        if (tokens[i] === ';') i++;
        group.attributes.set(name, value.join(' '));
      } else if (tokens[i] === '(') {
        i++;
        const groupArgs: string[] = [];
        while (i < tokens.length && tokens[i] !== ')') {
          if (tokens[i] !== ',') groupArgs.push(tokens[i]!);
          i++;
        }
        expect(')');
        if (tokens[i] === '{') {
          i++;
          group.groups.push(parseGroupBody(name, groupArgs));
          expect('}');
        } else if (tokens[i] === ';') i++;
      } else if (tokens[i] === ';') {
        i++;
      } else fail(`unexpected '${tokens[i] ?? 'end of file'}' after '${name}'`);
    }
    return group;
  }

  const root = parseGroupBody('', []);
  if (i < tokens.length) fail("unbalanced '}'");
  const library = root.groups.find((g) => g.kind === 'library');
  if (!library) return fail('no library group');
  return library;
}
