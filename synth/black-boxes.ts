/**
 * Yosys script lines for the modules a hierarchical run synthesizes on their
 * own (synth/hierarchical.ts): in the top's run only their ports stay, and
 * their instances are kept.
 */

/** Yosys script arguments with spaces need double quotes. */
export function quoteYosysArg(arg: string): string {
  return /\s/.test(arg) ? `"${arg}"` : arg;
}

/** Before `hierarchy`: the modules become black boxes (ports only). */
export function declareBlackBoxes(modules: readonly string[]): string[] {
  return modules.length ? ['# Synthesized on their own (synth/hierarchical.ts): only their ports stay here.', `blackbox ${modules.map(quoteYosysArg).join(' ')}`] : [];
}

/**
 * After `hierarchy`: their instances are kept. A black box may hold state that
 * only the host reads (an output slice's memory), so none of its outputs need
 * reach the top's; without `keep`, the clean-up passes drop its instances and
 * the logic feeding them, which a flattened run would keep with its memories.
 */
export function keepBlackBoxInstances(modules: readonly string[]): string[] {
  return modules.length ? [`setattr -set keep 1 ${modules.map((m) => quoteYosysArg(`t:${m}`)).join(' ')}`] : [];
}
