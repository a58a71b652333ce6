import type { IrModule } from '../../hw/core/ir.ts';
import { CLOCK, RESET } from '../../hw/core/names.ts';

/** A top-level port as the harness sees it: index, name, width, direction. */
export interface HarnessPort {
  readonly index: number;
  readonly name: string;
  readonly width: number;
  readonly signed: boolean;
  readonly dir: 'in' | 'out';
}

/** A memory testbenches may load and dump, by its hierarchical path. */
export interface HarnessMemory {
  readonly index: number;
  /** Instance names from the top, then the memory name, joined by '.'. */
  readonly path: string;
  readonly depth: number;
  readonly width: number;
  readonly signed: boolean;
  /** Verilator's scope of the module instance that holds it ('TOP.<top>.<instance>...'). */
  readonly scope: string;
  /** The memory's name in that scope. */
  readonly variable: string;
}

export function harnessMemories(top: IrModule): HarnessMemory[] {
  const out: HarnessMemory[] = [];
  const walk = (m: IrModule, names: string[]): void => {
    for (const mem of m.memories) {
      if (!mem.testbenchAccess) continue;
      const parts = [...names, mem.name];
      if (parts.some((p) => p.includes('__'))) {
        throw new Error(`memory ${parts.join('.')} has '__' in its path, which Verilator renames; rename the instance or memory to give testbenches access`);
      }
      out.push({
        index: out.length,
        path: parts.join('.'),
        depth: mem.depth,
        width: mem.width,
        signed: mem.signed,
        scope: ['TOP', top.displayName, ...names].join('.'),
        variable: mem.name,
      });
    }
    for (const inst of m.instances) walk(inst.module, [...names, inst.name]);
  };
  walk(top, []);
  return out;
}

export function harnessPorts(top: IrModule): HarnessPort[] {
  return top.ports.map((p, index) => ({ index, name: p.name, width: p.width, signed: p.signed, dir: p.dir }));
}

function cType(width: number): string {
  return width <= 8 ? 'CData' : width <= 16 ? 'SData' : width <= 32 ? 'IData' : 'QData';
}

function setter(p: HarnessPort): string {
  if (p.width > 64) {
    const words = Math.ceil(p.width / 32);
    return `for (int i = 0; i < ${words}; i++) m->${p.name}[i] = w[i];`;
  }
  if (p.width > 32) return `m->${p.name} = ((QData)w[1] << 32) | w[0];`;
  return `m->${p.name} = (${cType(p.width)})w[0];`;
}

function getter(p: HarnessPort): string {
  if (p.width > 64) {
    const words = Math.ceil(p.width / 32);
    return `for (int i = 0; i < ${words}; i++) w[i] = m->${p.name}[i];`;
  }
  if (p.width > 32) return `w[0] = (uint32_t)m->${p.name}; w[1] = (uint32_t)(m->${p.name} >> 32);`;
  return `w[0] = m->${p.name};`;
}

/**
 * The C++ main program compiled with the Verilated model. One binary serves
 * both ways of driving it: an interactive line protocol on stdin/stdout
 * (poke, peek, step) and a bulk mode that runs a whole job file with no
 * per-cycle traffic between processes.
 */
function memoryAccess(mem: HarnessMemory, load: boolean): string {
  // Verilator stores a memory as a contiguous array of its element type; wider
  // than 64 bits, an element is ceil(width / 32) 32-bit words.
  if (mem.width > 64) {
    return load
      ? `{ EData* p = (EData*)memoryData(${mem.index}); for (size_t i = 0; i < w.size(); i++) p[i] = w[i]; }`
      : `{ const EData* p = (const EData*)memoryData(${mem.index}); for (size_t i = 0; i < w.size(); i++) w[i] = p[i]; }`;
  }
  if (mem.width > 32) {
    return load
      ? `{ QData* p = (QData*)memoryData(${mem.index}); for (int i = 0; i < ${mem.depth}; i++) p[i] = ((QData)w[2 * i + 1] << 32) | w[2 * i]; }`
      : `{ const QData* p = (const QData*)memoryData(${mem.index}); for (int i = 0; i < ${mem.depth}; i++) { w[2 * i] = (uint32_t)p[i]; w[2 * i + 1] = (uint32_t)(p[i] >> 32); } }`;
  }
  const t = cType(mem.width);
  return load
    ? `{ ${t}* p = (${t}*)memoryData(${mem.index}); for (int i = 0; i < ${mem.depth}; i++) p[i] = (${t})w[i]; }`
    : `{ const ${t}* p = (const ${t}*)memoryData(${mem.index}); for (int i = 0; i < ${mem.depth}; i++) w[i] = p[i]; }`;
}

/** Bytes of one element of a memory as Verilator stores it. */
function elementBytes(width: number): number {
  return width <= 8 ? 1 : width <= 16 ? 2 : width <= 32 ? 4 : width <= 64 ? 8 : 4 * Math.ceil(width / 32);
}

export function harnessSource(top: IrModule, trace: boolean): string {
  const ports = harnessPorts(top);
  const memories = harnessMemories(top);
  const memTable = memories
    .map((m) => `  {"${m.path}", ${m.depth}, ${Math.ceil(m.width / 32)}, "${m.scope}", "${m.variable}", ${elementBytes(m.width)}},`)
    .join('\n');
  const memLoads = memories.map((m) => `    case ${m.index}: ${memoryAccess(m, true)} break;`).join('\n');
  const memDumps = memories.map((m) => `    case ${m.index}: ${memoryAccess(m, false)} break;`).join('\n');
  const cls = `V${top.displayName}`;
  const table = ports
    .map((p) => `  {"${p.name}", ${p.width}, ${p.dir === 'in' ? 1 : 0}},`)
    .join('\n');
  const sets = ports
    .filter((p) => p.dir === 'in')
    .map((p) => `    case ${p.index}: ${setter(p)} break;`)
    .join('\n');
  const gets = ports.map((p) => `    case ${p.index}: ${getter(p)} break;`).join('\n');
  const clk = top.usesClock ? `m->${CLOCK}` : null;
  const rst = top.usesReset ? `m->${RESET}` : null;
  return `// Generated simulation harness for ${top.displayName}. Do not edit.
#include "${cls}.h"
#include "verilated.h"
#include "verilated_syms.h"
${trace ? '#include "verilated_fst_c.h"' : ''}
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <string>
#include <vector>
#include <fstream>
#include <sstream>
#include <iostream>

struct PortInfo { const char* name; int width; int isInput; };
static const PortInfo PORTS[] = {
${table}
  {nullptr, 0, 0}
};
static const int NPORTS = ${ports.length};
static const int MAXWORDS = ${Math.max(2, ...ports.map((p) => Math.ceil(p.width / 32)))};

struct MemInfo { const char* path; int depth; int words; const char* scope; const char* variable; int elementBytes; };
static const MemInfo MEMS[] = {
${memTable}
  {nullptr, 0, 0, nullptr, nullptr, 0}
};
static const int NMEMS = ${memories.length};

static VerilatedContext* ctx = nullptr;
static ${cls}* m = nullptr;
${trace ? 'static VerilatedFstC* tfp = nullptr;' : ''}
static uint64_t simTime = 0;
static uint64_t cycles = 0;
// Memories found in the current model (memoryData), forgotten with it.
static void* memoryFound[NMEMS > 0 ? NMEMS : 1] = {};

static uint64_t microseconds(clockid_t clock) {
  timespec t; clock_gettime(clock, &t);
  return (uint64_t)t.tv_sec * 1000000ULL + (uint64_t)t.tv_nsec / 1000ULL;
}

static void die(const std::string& msg) {
  std::fprintf(stderr, "harness: %s\\n", msg.c_str());
  std::exit(2);
}

static int words(int width) { return (width + 31) / 32; }

// Every write and close is checked: a full disk or a file size limit must end
// the run with an error, never with a short output file.
static void checkWritten(std::ofstream& f, const std::string& what) {
  if (!f) die("cannot write " + what + ": " + std::strerror(errno));
}

static void closeWritten(std::ofstream& f, const std::string& what) {
  f.close();
  if (f.fail()) die("cannot write " + what + ": " + std::strerror(errno));
}

// A job or command line must be read whole: a field that does not parse, or
// one left over, is an error rather than a silently different value.
static void parsedWhole(std::istringstream& in, const std::string& line) {
  std::string extra;
  if (in.fail() || (in >> extra)) die("cannot parse '" + line + "'");
}

static void setPort(int idx, const uint32_t* w) {
  switch (idx) {
${sets}
    default: die("port " + std::to_string(idx) + " is not an input");
  }
}

static void getPort(int idx, uint32_t* w) {
  switch (idx) {
${gets}
    default: die("no port " + std::to_string(idx));
  }
}

// A memory is found by its instance's scope, which Verilator keeps for public
// variables whether or not it inlined the instance, so the harness does not
// depend on Verilator's inlining decisions.
static void* memoryData(int idx) {
  void** found = memoryFound;
  if (found[idx]) return found[idx];
  const MemInfo& mem = MEMS[idx];
  const VerilatedScope* scope = m->contextp()->scopeFind(mem.scope);
  if (!scope) die(std::string("no scope ") + mem.scope + " for memory " + mem.path);
  VerilatedVar* var = scope->varFind(mem.variable);
  if (!var) die(std::string("memory ") + mem.path + " is not public in scope " + mem.scope);
  if (var->totalSize() != (size_t)mem.depth * mem.elementBytes) {
    die(std::string("memory ") + mem.path + " is " + std::to_string(var->totalSize()) + " bytes in the model, " + std::to_string((size_t)mem.depth * mem.elementBytes) + " expected");
  }
  return found[idx] = var->datap();
}

// The image file open for a run of loads; closed once they are done, so a later
// file of the same name is always read afresh.
static std::ifstream imageFile;
static std::string imageOpened;

static void closeImages() {
  imageFile.close();
  imageFile.clear();
  imageOpened.clear();
}

// A memory image is up to depth x ceil(width/32) little-endian words: the
// first elements of the memory; the elements after them are zeroed, so a
// shorter image never leaves an element of an earlier load in place. A job's
// images lie one after the other in one file (creating files is slow on some
// disks): each is read at its offset with its size; bytes < 0 means the
// whole file (interactive loads).
static void loadMemory(int idx, const std::string& file, long long offset, long long bytes) {
  if (idx < 0 || idx >= NMEMS) die("no memory " + std::to_string(idx));
  std::vector<uint32_t> w((size_t)MEMS[idx].depth * MEMS[idx].words);
  std::ifstream& f = imageFile;
  std::string& opened = imageOpened;
  if (opened != file || !f) {
    f.close();
    f.clear();
    opened = file;
    f.open(file, std::ios::binary);
    if (!f) { opened.clear(); die("cannot read memory image " + file); }
  }
  if (bytes < 0) {
    f.seekg(0, std::ios::end);
    bytes = (long long)f.tellg();
  }
  const std::string where = "memory image " + file + " at byte " + std::to_string(offset);
  if (offset < 0 || (size_t)bytes > w.size() * 4 || bytes % (4 * MEMS[idx].words) != 0) {
    die(where + " must be whole elements of " + std::to_string(4 * MEMS[idx].words) + " bytes, at most " + std::to_string(w.size() * 4) + " bytes for " + MEMS[idx].path + "; it is " + std::to_string(bytes));
  }
  f.seekg(offset);
  if (bytes && !f.read((char*)w.data(), bytes)) { opened.clear(); die("cannot read " + std::to_string(bytes) + " bytes of " + where); }
  switch (idx) {
${memLoads}
    default: (void)w; break;
  }
}

// Dumps of one job go one after the other into one file: the first one
// starts it, the others append.
static void dumpMemory(int idx, const std::string& file, bool append) {
  if (idx < 0 || idx >= NMEMS) die("no memory " + std::to_string(idx));
  std::vector<uint32_t> w((size_t)MEMS[idx].depth * MEMS[idx].words);
  switch (idx) {
${memDumps}
    default: break;
  }
  std::ofstream f(file, std::ios::binary | (append ? std::ios::app : std::ios::trunc));
  checkWritten(f, "memory image " + file);
  f.write((const char*)w.data(), w.size() * 4);
  checkWritten(f, "memory image " + file);
  closeWritten(f, "memory image " + file);
}

static void parseHex(const std::string& s, int width, uint32_t* w) {
  int n = words(width);
  for (int i = 0; i < n; i++) w[i] = 0;
  int bit = 0;
  for (int i = (int)s.size() - 1; i >= 0; i--, bit += 4) {
    char c = s[i];
    uint32_t d = (c >= '0' && c <= '9') ? c - '0' : (c >= 'a' && c <= 'f') ? c - 'a' + 10 : (c >= 'A' && c <= 'F') ? c - 'A' + 10 : 99;
    if (d == 99) die("bad hex digit in '" + s + "'");
    if (bit / 32 < n) w[bit / 32] |= d << (bit % 32);
  }
  int top = width % 32;
  if (top) w[n - 1] &= (1u << top) - 1;
}

static std::string toHex(const uint32_t* w, int width) {
  static const char* digits = "0123456789abcdef";
  int nibbles = (width + 3) / 4;
  std::string s(nibbles, '0');
  for (int i = 0; i < nibbles; i++) {
    uint32_t d = (w[(i * 4) / 32] >> ((i * 4) % 32)) & 0xf;
    s[nibbles - 1 - i] = digits[d];
  }
  return s;
}

static void settle() { m->eval(); }

// With no waveform, the falling edge needs no evaluation of its own: the
// next settle() evaluates it together with the next cycle's inputs.
static bool fullTick = true;

static void tick() {
${
  clk
    ? `  ${clk} = 1;
  m->eval();
${trace ? '  if (tfp) tfp->dump(simTime);' : ''}
  simTime++;
  ${clk} = 0;
  if (fullTick) m->eval();
${trace ? '  if (tfp) tfp->dump(simTime);' : ''}
  simTime++;`
    : '  m->eval();\n  simTime++;'
}
  cycles++;
}

static void reset(int n) {
${rst ? `  ${rst} = 1;\n  for (int i = 0; i < n; i++) tick();\n  ${rst} = 0;\n  settle();` : '  (void)n;'}
  cycles = 0;
}

// ---------------------------------------------------------------------------
// Interactive mode: one command per line.
//   p <port> <hex>   poke an input          s <n>      step n cycles
//   g <port>         peek (prints hex)      r <n>      reset for n cycles
//   c                print the cycle count  q          quit
//   l <mem> <file>   load a memory image    d <mem> <file>  dump one (both print ok)

static int interactive() {
  std::string line;
  uint32_t w[MAXWORDS];
  while (std::getline(std::cin, line)) {
    if (line.empty()) continue;
    std::istringstream in(line);
    char cmd; in >> cmd;
    if (cmd == 'p') {
      int idx; std::string hex; in >> idx >> hex;
      if (idx < 0 || idx >= NPORTS) die("bad port index");
      parseHex(hex, PORTS[idx].width, w);
      setPort(idx, w);
    } else if (cmd == 'g') {
      int idx; in >> idx;
      if (idx < 0 || idx >= NPORTS) die("bad port index");
      settle();
      getPort(idx, w);
      std::fputs(toHex(w, PORTS[idx].width).c_str(), stdout);
      std::fputc('\\n', stdout);
      std::fflush(stdout);
    } else if (cmd == 's') {
      long n; in >> n; parsedWhole(in, line);
      if (n < 0) die("negative step count in '" + line + "'");
      for (long i = 0; i < n; i++) tick();
    } else if (cmd == 'r') {
      int n; in >> n; parsedWhole(in, line);
      if (n < 0) die("negative reset count in '" + line + "'");
      reset(n);
    } else if (cmd == 'l' || cmd == 'd') {
      int idx; std::string file; in >> idx >> file;
      if (cmd == 'l') { loadMemory(idx, file, 0, -1); closeImages(); } else dumpMemory(idx, file, false);
      std::puts("ok");
      std::fflush(stdout);
    } else if (cmd == 'c') {
      std::printf("%llu\\n", (unsigned long long)cycles);
      std::fflush(stdout);
    } else if (cmd == 'q') {
      break;
    } else {
      die("unknown command '" + line + "'");
    }
  }
  return 0;
}

// ---------------------------------------------------------------------------
// Bulk mode: a job file describes configuration, input streams read from
// files, output streams written to files, the stop condition and the values
// to report. Back-pressure and bubbles come from a seeded generator.

struct Rng {
  uint64_t s;
  uint64_t next() { uint64_t z = (s += 0x9e3779b97f4a7c15ULL); z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL; z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL; return z ^ (z >> 31); }
  bool chance(int permille) { return permille > 0 && (int)(next() % 1000) < permille; }
};

// Stream files are binary: each beat is the data ports' values in order,
// each as ceil(width/32) little-endian 32-bit words.
struct Stream {
  std::string name; int valid, ready; std::vector<int> data; std::string file; int stall; Rng rng;
  std::vector<uint32_t> buf; size_t beatWords = 0, nbeats = 0, pos = 0; std::ofstream out; uint64_t count = 0;
  uint64_t lastCycle = 0;
};

// A fresh model (and context) for every bulk job: nothing of an earlier job
// (registers, memories, time) reaches the next one in a serving process.
static void newModel() {
  ctx = new VerilatedContext;
  m = new ${cls}{ctx};
  for (auto& f : memoryFound) f = nullptr;
  simTime = 0;
  cycles = 0;
  fullTick = true;
${clk ? `  ${clk} = 0;` : ''}
  m->eval();
}

static void deleteModel() {
  m->final();
  delete m;
  m = nullptr;
  delete ctx;
  ctx = nullptr;
}

static int bulk(const char* jobPath, const char* resultPath) {
  const uint64_t wall0 = microseconds(CLOCK_MONOTONIC), cpu0 = microseconds(CLOCK_PROCESS_CPUTIME_ID);
  newModel();
  const uint64_t constructed = microseconds(CLOCK_MONOTONIC);
  std::ifstream job(jobPath);
  if (!job) die(std::string("cannot read job file ") + jobPath);
  std::vector<Stream> ins, outs;
  std::vector<int> peeks;
  std::vector<std::pair<int, std::string>> dumps;
  int donePort = -1, resetCycles = 1;
  uint64_t maxCycles = 1000000, drain = 0, seed = 1;
  std::string line, traceFile;
  uint32_t w[MAXWORDS];
  while (std::getline(job, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream in(line);
    std::string cmd; in >> cmd;
    if (cmd == "seed") in >> seed;
    else if (cmd == "reset") { in >> resetCycles; if (resetCycles < 0) die("negative reset in '" + line + "'"); }
    else if (cmd == "maxcycles") { in >> maxCycles; if (maxCycles == 0) die("maxcycles must be at least 1"); }
    else if (cmd == "drain") { in >> drain; if (drain == 0) die("drain must be at least 1"); }
    else if (cmd == "done") in >> donePort;
    else if (cmd == "peek") { int i; in >> i; peeks.push_back(i); }
    else if (cmd == "trace") in >> traceFile;
    else if (cmd == "memload") { int i; std::string f; long long offset, bytes; in >> i >> f >> offset >> bytes; if (in.fail() || bytes < 0) die("cannot parse '" + line + "'"); loadMemory(i, f, offset, bytes); }
    else if (cmd == "memdump") { int i; std::string f; in >> i >> f; dumps.push_back({i, f}); }
    else if (cmd == "poke") { int i; std::string hex; in >> i >> hex; parseHex(hex, PORTS[i].width, w); setPort(i, w); }
    else if (cmd == "instream" || cmd == "outstream") {
      Stream s; int n; in >> s.name >> s.valid >> s.ready >> n;
      for (int i = 0; i < n; i++) { int d; in >> d; s.data.push_back(d); }
      in >> s.file >> s.stall;
      (cmd == "instream" ? ins : outs).push_back(std::move(s));
    } else die("unknown job line '" + line + "'");
    // Numbers are read as unsigned where they must be, so a '-' fails here too.
    if (line.find('-') != std::string::npos && (cmd == "seed" || cmd == "maxcycles" || cmd == "drain")) die("cannot parse '" + line + "'");
    parsedWhole(in, line);
  }
${trace ? '  if (!traceFile.empty()) { ctx->traceEverOn(true); tfp = new VerilatedFstC; m->trace(tfp, 99); tfp->open(traceFile.c_str()); }' : '  if (!traceFile.empty()) die("this model was built without tracing");'}
  uint64_t k = 0;
  for (auto& s : ins) {
    s.rng.s = seed * 1000003ULL + (++k);
    for (int idx : s.data) s.beatWords += words(PORTS[idx].width);
    std::ifstream f(s.file, std::ios::binary | std::ios::ate);
    if (!f) die("cannot read stream file " + s.file);
    std::streamsize bytes = f.tellg();
    f.seekg(0);
    if (bytes % (std::streamsize)(4 * s.beatWords)) die("stream file " + s.file + " is not a whole number of beats");
    s.buf.resize(bytes / 4);
    if (bytes && !f.read((char*)s.buf.data(), bytes)) die("cannot read stream file " + s.file);
    s.nbeats = s.buf.size() / s.beatWords;
  }
  for (auto& s : outs) {
    s.rng.s = seed * 1000003ULL + (++k);
    s.out.open(s.file, std::ios::binary);
    checkWritten(s.out, "stream file " + s.file);
  }
  closeImages();
  const uint64_t loaded = microseconds(CLOCK_MONOTONIC);
  reset(resetCycles);
${trace ? '  fullTick = tfp != nullptr;' : '  fullTick = false;'}
  std::string status = "timeout";
  uint64_t lastActivity = 0;
  // Every eval() runs all logic fed by top-level inputs (Verilator cannot tell
  // whether they changed), so a cycle evaluates as few times as it can: with no
  // streams, the evaluation after the clock edge that read the done port also
  // settles the next cycle.
  const bool streams = !ins.empty() || !outs.empty();
  bool settled = false;
  while (cycles < maxCycles) {
    for (auto& s : ins) {
      bool v = s.pos < s.nbeats && !s.rng.chance(s.stall);
      uint32_t one = v ? 1 : 0; setPort(s.valid, &one);
      if (v) { const uint32_t* p = &s.buf[s.pos * s.beatWords]; for (int idx : s.data) { setPort(idx, p); p += words(PORTS[idx].width); } }
    }
    for (auto& s : outs) { uint32_t r = s.rng.chance(s.stall) ? 0 : 1; setPort(s.ready, &r); }
    if (streams || !settled) settle();
    bool active = false;
    for (auto& s : ins) {
      uint32_t v[MAXWORDS], r[MAXWORDS]; getPort(s.valid, v); getPort(s.ready, r);
      if (v[0] && r[0]) { s.pos++; s.count++; active = true; }
    }
    for (auto& s : outs) {
      uint32_t v[MAXWORDS], r[MAXWORDS]; getPort(s.valid, v); getPort(s.ready, r);
      if (v[0] && r[0]) {
        for (int idx : s.data) { getPort(idx, w); s.out.write((const char*)w, 4 * words(PORTS[idx].width)); }
        checkWritten(s.out, "stream file " + s.file);
        s.count++; active = true; s.lastCycle = cycles;
      }
    }
    tick();
    if (active) lastActivity = cycles;
    settled = false;
    if (donePort >= 0) { settle(); settled = true; getPort(donePort, w); if (w[0] & 1) { status = "done"; break; } }
    else if (drain > 0) {
      bool inputsLeft = false;
      for (auto& s : ins) if (s.pos < s.nbeats) inputsLeft = true;
      if (!inputsLeft && cycles - lastActivity >= drain) { status = "idle"; break; }
    }
  }
  settle();
  const uint64_t ran = microseconds(CLOCK_MONOTONIC);
  for (auto& s : outs) closeWritten(s.out, "stream file " + s.file);
  for (size_t i = 0; i < dumps.size(); i++) {
    bool append = false;
    for (size_t j = 0; j < i; j++) append = append || dumps[j].second == dumps[i].second;
    dumpMemory(dumps[i].first, dumps[i].second, append);
  }
  const uint64_t dumped = microseconds(CLOCK_MONOTONIC);
  // The result file is written last and ends with "end": the driver trusts
  // the other files only when it finds that line.
  const std::string what = std::string("result file ") + resultPath;
  std::ofstream res(resultPath);
  checkWritten(res, what);
  res << "status " << status << "\\n" << "cycles " << cycles << "\\n";
  // CPU time of this job in the model's process (every thread) and where its
  // wall time went, in microseconds, for benchmarks (bench:sim-speed).
  res << "cpu " << microseconds(CLOCK_PROCESS_CPUTIME_ID) - cpu0 << "\\n";
  res << "time construct " << constructed - wall0 << "\\n" << "time load " << loaded - constructed << "\\n";
  res << "time run " << ran - loaded << "\\n" << "time dump " << dumped - ran << "\\n";
  for (auto& s : ins) res << "consumed " << s.name << " " << s.count << " " << s.nbeats << "\\n";
  for (auto& s : outs) res << "produced " << s.name << " " << s.count << " " << s.lastCycle << "\\n";
  for (int idx : peeks) { getPort(idx, w); res << "peek " << idx << " " << toHex(w, PORTS[idx].width) << "\\n"; }
  res << "end\\n";
  checkWritten(res, what);
  closeWritten(res, what);
${trace ? '  if (tfp) { tfp->close(); delete tfp; tfp = nullptr; }' : ''}
  deleteModel();
  return status == "timeout" ? 3 : 0;
}

// ---------------------------------------------------------------------------
// Serve mode: bulk jobs one after another in one process, so a testbench that
// runs many jobs pays for the process start once. One command per line:
//   job <jobfile> <resultfile>   run a bulk job on a fresh model; answers
//                                "done <code>" (0 finished, 3 maxcycles reached)
//                                once the result file is complete
//   quit                         end the process
// Any error ends the process with exit 2 and the cause on stderr, as in bulk mode.

static int serve() {
  std::string line;
  while (std::getline(std::cin, line)) {
    if (line.empty()) continue;
    std::istringstream in(line);
    std::string cmd, jobPath, resultPath;
    in >> cmd;
    if (cmd == "quit") break;
    if (cmd != "job") die("unknown command '" + line + "'");
    in >> jobPath >> resultPath;
    parsedWhole(in, line);
    const int rc = bulk(jobPath.c_str(), resultPath.c_str());
    std::printf("done %d\\n", rc);
    std::fflush(stdout);
  }
  return 0;
}

int main(int argc, char** argv) {
  if (argc >= 4 && std::string(argv[1]) == "--bulk") return bulk(argv[2], argv[3]);
  if (argc >= 2 && std::string(argv[1]) == "--serve") return serve();
  newModel();
${trace ? '  if (argc >= 3 && std::string(argv[1]) == "--trace") { ctx->traceEverOn(true); tfp = new VerilatedFstC; m->trace(tfp, 99); tfp->open(argv[2]); }' : ''}
  const int rc = interactive();
${trace ? '  if (tfp) tfp->close();' : ''}
  deleteModel();
  return rc;
}
`;
}
