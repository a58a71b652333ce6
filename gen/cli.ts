import path from 'node:path';
import { Command } from 'commander';
import { asUsage, runCli, strictCommand } from './cli-conventions.ts';
import { designs, findDesign, WRITTEN_VERILOG } from './designs.ts';
import { writeVerilog } from './write.ts';

const program = strictCommand(new Command())
  .name('npm run gen --')
  .description('Elaborate the project\'s designs and write their Verilog under build/verilog/<design>/')
  .option('-o, --out <dir>', 'output folder', 'build/verilog')
  .option('-d, --design <name...>', 'only these designs')
  .option('-l, --list', 'list the designs and exit')
  .action((opts: { out: string; design?: string[]; list?: boolean }) => {
    if (opts.list) {
      for (const d of designs) console.log(`${d.name.padEnd(24)} ${d.description}`);
      return;
    }
    const chosen = opts.design ? asUsage(() => opts.design!.map(findDesign)) : designs;
    for (const entry of chosen) {
      const t0 = performance.now();
      const design = entry.elaborate(WRITTEN_VERILOG);
      const written = writeVerilog(design, path.resolve(opts.out, entry.name));
      const ms = (performance.now() - t0).toFixed(0);
      console.log(`${entry.name.padEnd(24)} ${String(design.modules.length).padStart(3)} module(s) -> ${path.relative(process.cwd(), written.dir)}/ (${ms} ms)`);
    }
  });

await runCli(program);
