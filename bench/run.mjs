// npm run bench: bundles every bench/*.bench.ts (each exports `run(): Promise<BenchResult[]>`),
// runs them one after another on this machine, prints one table and writes JSON to
// bench/results/latest.json (and a dated copy). Figures, not pass/fail: targets are shown
// beside them.
import { build } from 'esbuild';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';

const only = process.argv.slice(2);
const files = (await readdir('bench')).filter((f) => f.endsWith('.bench.ts')).filter((f) => only.length === 0 || only.some((o) => f.includes(o))).sort();
await mkdir('tmp/bench', { recursive: true });
await mkdir('bench/results', { recursive: true });

const all = [];
for (const f of files) {
  const out = join('tmp/bench', f.replace(/\.ts$/, '.cjs'));
  await build({ entryPoints: [join('bench', f)], outfile: out, bundle: true, platform: 'node', target: 'node24', format: 'cjs', packages: 'external', tsconfig: 'tsconfig.base.json', logLevel: 'warning', sourcemap: 'inline' });
  process.stderr.write(`bench: ${f} …\n`);
  const started = Date.now();
  const mod = await import(join(process.cwd(), out));
  const results = await (mod.run ?? mod.default.run)();
  for (const r of results) all.push({ file: f, ...r });
  process.stderr.write(`bench: ${f} done in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
}

const fmt = (v) => (Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 10 ? v.toFixed(1) : v.toFixed(3));
console.log('\n| bench | metric | value | unit | target | ok |\n|---|---|---|---|---|---|');
for (const r of all) console.log(`| ${r.name} | ${r.metric} | ${fmt(r.value)} | ${r.unit} | ${r.target ?? ''} | ${r.ok === undefined ? '' : r.ok ? 'yes' : 'NO'} |`);

const report = { at: new Date().toISOString(), node: process.version, cpus: cpus().length, cpuModel: cpus()[0]?.model, memGiB: Math.round(totalmem() / 2 ** 30), results: all };
const json = JSON.stringify(report, null, 2);
await writeFile('bench/results/latest.json', json);
await writeFile(`bench/results/${report.at.replace(/[:.]/g, '-')}.json`, json);
console.log('\nwritten: bench/results/latest.json');
process.exit(0);
