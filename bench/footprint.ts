// What `up` asks the scheduler for, per profile: CPU and memory requests (and the sum of memory
// limits) of Istio, the samples with their sidecars, and each observability release as the pinned
// chart renders it with our values (fixtures/charts/contract.json, which also has what
// prometheus-operator adds for the Prometheus and Alertmanager resources). Against the goal of
// issue 10 for full, samples included: ≤ 3.5 CPU and ≤ 6 GiB requested (a 4-CPU / 8-GiB Docker VM),
// and against what preflight asks of the container engine (PROFILE_NEEDS). Prints figures only.
//
//   npx tsx bench/footprint.ts [--workers 4]
import { PROFILES, PROFILE_NEEDS } from '../lab/config-keys.ts';
import { gitopsParts, labFootprint } from '../lab/footprint/lab-footprint.ts';
import { add, zero, type Footprint } from '../lab/footprint/pods.ts';
import { GiB, MiB } from '../lab/footprint/quantity.ts';

const arg = process.argv.indexOf('--workers');
const workers = arg > 0 ? Number(process.argv[arg + 1]) : 4;
const GOAL = { cpu: 3.5, memGiB: 6 };
const cpu = (c: number) => `${c.toFixed(2)} CPU`;
const row = (name: string, pods: number, f: Footprint) =>
  `  ${name.padEnd(18)} ${String(pods).padStart(4)}  ${cpu(f.cpuRequest).padStart(9)}  ${mem(f.memRequest).padStart(9)}  ${mem(f.memLimit).padStart(9)}`;
const mem = (b: number) => (b >= GiB ? `${(b / GiB).toFixed(2)} GiB` : `${Math.round(b / MiB)} MiB`);

for (const profile of PROFILES) {
  const f = labFootprint(profile, workers);
  console.log(`\n${profile} (${f.nodes} nodes)`);
  console.log(`  ${'component'.padEnd(18)} ${'pods'.padStart(4)}  ${'cpu req'.padStart(9)}  ${'mem req'.padStart(9)}  ${'mem limit'.padStart(9)}`);
  for (const p of f.parts) console.log(row(p.component, p.pods, p.footprint));
  console.log(row('total', f.parts.reduce((n, p) => n + p.pods, 0), f.total));
  const need = PROFILE_NEEDS[profile];
  console.log(`  preflight asks the engine for ${need.cpus} CPUs / ${mem(need.memoryMiB * MiB)}`);
  if (f.total.unbounded.length) console.log(`  containers without a memory limit: ${f.total.unbounded.join(', ')}`);
  if (profile === 'full') {
    const ok = f.total.cpuRequest <= GOAL.cpu && f.total.memRequest <= GOAL.memGiB * GiB;
    console.log(`  goal (full): ≤ ${GOAL.cpu} CPU and ≤ ${GOAL.memGiB} GiB requested — ${ok ? 'met' : 'NOT met'}`);
  }
}

// LAB_GITOPS=argocd (off by default): added to whichever profile runs.
const gitops = gitopsParts(workers);
const extra = gitops.map((p) => p.footprint).reduce(add, zero());
console.log('\nLAB_GITOPS=argocd adds (to any profile)');
for (const p of gitops) console.log(row(p.component, p.pods, p.footprint));
console.log(row('total', gitops.reduce((n, p) => n + p.pods, 0), extra));
if (extra.unbounded.length) console.log(`  containers without a memory limit: ${extra.unbounded.join(', ')}`);
