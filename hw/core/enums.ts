import { HwError } from './errors.ts';
import type { WhenChain } from './builder.ts';
import { reg, when } from './statements.ts';
import { checkIdentifier } from './names.ts';
import { makeLiteral, Signal } from './signal.ts';
import { SourceLoc } from './source.ts';
import { log2Ceil, type BitsType } from './types.ts';

/** An enumeration whose member names the TypeScript compiler checks. */
export class Enum<N extends string> {
  readonly type: BitsType;
  private readonly codes: ReadonlyMap<N, number>;

  constructor(
    readonly name: string,
    readonly members: readonly N[],
  ) {
    const loc = SourceLoc.capture();
    checkIdentifier(name, 'enum', loc);
    if (members.length === 0) throw new HwError(`enum '${name}' needs at least one member`, loc);
    const codes = new Map<N, number>();
    members.forEach((m, i) => {
      checkIdentifier(m, 'enum member', loc);
      if (codes.has(m)) throw new HwError(`enum '${name}' lists member '${m}' twice`, loc);
      codes.set(m, i);
    });
    this.codes = codes;
    this.type = { kind: 'bits', width: log2Ceil(members.length), signed: false };
  }

  code(member: N): number {
    const c = this.codes.get(member);
    if (c === undefined) throw new HwError(`'${member}' is not a member of enum '${this.name}'`, SourceLoc.capture());
    return c;
  }

  /** The constant encoding `member`. */
  lit(member: N): Signal {
    const s = makeLiteral(this.code(member), this.type.width, false, SourceLoc.capture());
    s.enumLabel = `${this.name}_${member}`;
    return s;
  }
}

export function defineEnum<const N extends string>(name: string, members: readonly N[]): Enum<N> {
  return new Enum(name, members);
}

/**
 * A state register over an enum, with transitions checked by the compiler:
 * `fsm.goto('Run')` only accepts member names.
 */
export class StateMachine<N extends string> {
  readonly state: Signal;

  constructor(
    readonly states: Enum<N>,
    init: N,
    name: string,
  ) {
    this.state = reg(states.type, { name, init: states.lit(init) });
  }

  /** True while in `member`. */
  is(member: N): Signal {
    return this.state.eq(this.states.lit(member));
  }

  /** Moves to `member` at the next clock edge (under the enclosing when() conditions). */
  goto(member: N): void {
    this.state.set(this.states.lit(member));
  }

  /**
   * One branch per state; the compiler requires every state. The last state's
   * branch also covers unused encodings, so wires driven in every branch are
   * driven on every path.
   */
  switch(branches: { readonly [K in N]: () => void }): void {
    let chain: WhenChain | null = null;
    const members = this.states.members;
    members.forEach((m, i) => {
      const body = branches[m];
      if (i === members.length - 1 && chain) chain.otherwise(body);
      else chain = chain ? chain.elseWhen(this.is(m), body) : when(this.is(m), body);
    });
    if (!chain) branches[members[0]!]();
  }
}

export function stateMachine<N extends string>(states: Enum<N>, opts: { init: N; name?: string }): StateMachine<N> {
  return new StateMachine(states, opts.init, opts.name ?? 'state');
}
