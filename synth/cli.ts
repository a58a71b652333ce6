import path from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { asUsage, integerArg, runCli, strictCommand } from '../gen/cli-conventions.ts';
import cliProgress from 'cli-progress';
import { designs, findDesign, measuredDesigns } from '../gen/designs.ts';
import type { WrittenDesign } from '../gen/write.ts';
import type { SelectForm } from '../gen/verilog.ts';
import { OSU018_LIBERTY, requireTool } from '../toolchain/tools.ts';
import { writeFileAtomic } from './files.ts';
import { FPGA_FAMILIES, isFpgaFamily, type FpgaFamily, type FpgaReport } from './fpga.ts';
import { readLiberty } from './liberty.ts';
import { runAreaFlow, runFpgaFlow, writeDesignVerilog } from './run-design.ts';
import { summaryText } from './summary.ts';
import { CELL_MAPPINGS, type AreaReport, type CellMapping } from './yosys.ts';

interface Options {
  design?: string[];
  out: string;
  liberty: string;
  fpga?: boolean;
  fpgaFamily: FpgaFamily;
  fpgaOnly?: boolean;
  jobs: number;
  list?: boolean;
  mapping?: CellMapping;
  selects: SelectForm;
}

/** One Yosys run: the area flow or the FPGA flow of one design. */
interface Task {
  readonly label: string;
  readonly run: () => Promise<string>;
}

const program = strictCommand(new Command())
  .name('npm run synth --')
  .description(
    'Synthesize the designs with Yosys: standard-cell area (OSU 0.18 um) per module, memories reported separately, optionally FPGA resources.\n' +
      'Writes build/synth/<design>.json, build/synth/<design>.fpga.json and build/synth/summary.txt.',
  )
  .option('-d, --design <name...>', 'only these designs (default: all)')
  .option('-o, --out <dir>', 'output folder', 'build/synth')
  .option('--liberty <file>', 'liberty file of the standard cells', OSU018_LIBERTY)
  .option('--fpga', 'also report FPGA resources')
  .option('--fpga-only', 'only the FPGA flow')
  .option('--fpga-family <family>', `FPGA family: ${Object.keys(FPGA_FAMILIES).join(', ')}`, parseFamily, 'xc7' as FpgaFamily)
  .option('-j, --jobs <n>', 'Yosys runs at the same time', integerArg(1, 64), 2)
  .addOption(
    new Option('--mapping <script>', "ABC's cell mapping for every design: full (Yosys's default) or fast (without SAT sweeping, retiming and choices; the PE and array designs use it unless told)").choices(
      CELL_MAPPINGS,
    ),
  )
  .addOption(
    new Option('--selects <form>', 'how a select of 2^w values is written for Yosys: array (an indexed read, as the simulators get) or muxTree (a tree of ?:); neither is smaller in every module (docs/area.md)')
      .choices(['array', 'muxTree'])
      .default('array'),
  )
  .option('-l, --list', 'list the designs and exit')
  .action(main);

async function main(opts: Options): Promise<void> {
  if (opts.list) {
    for (const d of designs) console.log(`${d.name.padEnd(24)} ${d.description}`);
    for (const d of measuredDesigns) console.log(`${d.name.padEnd(24)} ${d.description} (only with -d)`);
    return;
  }
  const chosen = opts.design ? asUsage(() => opts.design!.map(findDesign)) : designs;
  const withArea = !opts.fpgaOnly;
  const withFpga = Boolean(opts.fpga || opts.fpgaOnly);
  // Fail once, up front, when a tool or the library is missing, rather than once per design.
  await requireTool('yosys');
  if (withArea) readLiberty(opts.liberty);

  const outDir = path.resolve(opts.out);
  const areaReports = new Map<string, AreaReport>();
  const fpgaReports = new Map<string, FpgaReport>();
  const failures: string[] = [];
  const tasks: Task[] = [];
  for (const entry of chosen) {
    let rtl: WrittenDesign;
    try {
      rtl = writeDesignVerilog(entry, outDir, opts.selects);
    } catch (e) {
      failures.push(`${entry.name}: elaboration failed: ${(e as Error).message}`);
      continue;
    }
    if (withArea) {
      tasks.push({
        label: `${entry.name} (area)`,
        run: async () => {
          const r = await runAreaFlow(entry.name, rtl, outDir, {
            liberty: opts.liberty,
            blackBoxes: entry.blackBoxes,
            mapping: opts.mapping ?? entry.areaMapping,
          });
          areaReports.set(entry.name, r);
          const mem = r.memoryBits ? `, ${r.memoryBits} memory bits` : '';
          return `${entry.name}: ${Math.round(r.areaUm2)} um^2 std cells, ${r.cellCount} cells, ${r.flipFlops} flip-flops${mem} (${r.wallTimeS.toFixed(1)} s)`;
        },
      });
    }
    if (withFpga) {
      tasks.push({
        label: `${entry.name} (${opts.fpgaFamily})`,
        run: async () => {
          const r = await runFpgaFlow(entry.name, rtl, outDir, opts.fpgaFamily, entry.blackBoxes);
          fpgaReports.set(entry.name, r);
          return `${entry.name}: ${r.family} ${r.luts} LUTs, ${r.flipFlops} flip-flops, ${r.blockRams} block RAMs, ${r.dsps} DSPs (${r.wallTimeS.toFixed(1)} s)`;
        },
      });
    }
  }

  await runTasks(tasks, opts.jobs, (task, error) => failures.push(`${task.label}: ${error.message}`));

  // Reports in the designs' order, not in completion order.
  const area = chosen.flatMap((d) => areaReports.get(d.name) ?? []);
  const fpga = chosen.flatMap((d) => fpgaReports.get(d.name) ?? []);
  const summary = summaryText(area, fpga);
  if (area.length || fpga.length) {
    writeFileAtomic(path.join(outDir, 'summary.txt'), summary);
    console.log(`\n${summary}`);
  }
  for (const r of area) {
    if (Object.keys(r.unmappedCells).length) console.error(`warning: ${r.design}: cells without library area: ${JSON.stringify(r.unmappedCells)}`);
    for (const w of r.yosysWarnings) console.error(`warning: ${r.design}: yosys: ${w}`);
  }
  if (failures.length) {
    console.error(`\n${failures.length} failure(s):\n`);
    for (const f of failures) console.error(`error: ${f}\n`);
    process.exitCode = 1;
  }
}

/** Runs the tasks `jobs` at a time, with a progress bar when stderr is a terminal. */
async function runTasks(tasks: readonly Task[], jobs: number, onError: (task: Task, error: Error) => void): Promise<void> {
  const interactive = process.stderr.isTTY === true;
  const bars = interactive ? new cliProgress.MultiBar({ format: 'synth [{bar}] {value}/{total} {running}', hideCursor: true, clearOnComplete: true }) : null;
  const bar = bars?.create(tasks.length, 0, { running: '' });
  const running = new Set<string>();
  const say = (line: string): void => (bars ? bars.log(`${line}\n`) : console.error(line));
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < tasks.length) {
      const task = tasks[next++]!;
      running.add(task.label);
      bar?.update({ running: [...running].join(', ') });
      if (!bars) console.error(`${task.label}: running`);
      try {
        say(await task.run());
      } catch (e) {
        const error = e instanceof Error ? e : new Error(String(e));
        say(`${task.label}: FAILED`);
        onError(task, error);
      }
      running.delete(task.label);
      bar?.increment(1, { running: [...running].join(', ') });
    }
  };
  await Promise.all(Array.from({ length: Math.min(jobs, tasks.length) }, worker));
  // log() output appears at the next redraw: force one so the last lines are not lost.
  bars?.update();
  bars?.stop();
}

function parseFamily(value: string): FpgaFamily {
  if (!isFpgaFamily(value)) throw new InvalidArgumentError(`expected one of ${Object.keys(FPGA_FAMILIES).join(', ')}`);
  return value;
}

await runCli(program);
