// The schedule: a warm-up of every target, then interleaved rounds. Each round runs, for every
// level, every target in an order rotated from round to round (so that drift of the machine hits
// them all alike), then the non-streaming phase. The past-capacity phase (our server restarted
// with a low MAX_CONCURRENT_STREAMS) comes after the rounds, in runCapacity.
import type { Account } from './accounts.js';
import { runPhase, type PhaseContext, type PhaseResult } from './phases.js';
import type { Running } from './processes.js';
import type { Settings, TargetId } from './settings.js';
import { isOurs, phaseSpec, type Ports } from './targets.js';

export interface Stage {
  ctx: Omit<PhaseContext, 'gateway'>;
  gateways: Record<'passthrough' | 'portkey' | 'ours', Running>;
  ports: Ports;
  accounts: Account[];
  settings: Settings;
  log: (line: string) => void;
}

const JSON_TARGETS: TargetId[] = ['direct', 'passthrough', 'portkey', 'ours-v1-keys', 'ours-v1-1key'];

export function rotate<T>(xs: T[], round: number, rounds: number): T[] {
  const shift = ((round - 1) * Math.ceil(xs.length / rounds)) % xs.length;
  return [...xs.slice(shift), ...xs.slice(0, shift)];
}

function gatewayOf(stage: Stage, id: TargetId): Running | undefined {
  if (id === 'direct') return undefined;
  return isOurs(id) ? stage.gateways.ours : stage.gateways[id as 'passthrough' | 'portkey'];
}

async function phase(stage: Stage, round: number, kind: 'stream' | 'json', id: TargetId, level: number, override: Partial<ReturnType<typeof phaseSpec>> = {}) {
  const { settings } = stage;
  const pace = kind === 'json' ? settings.json.pace : settings.pace;
  const spec = { ...phaseSpec({ id, kind, level, ports: stage.ports, accounts: stage.accounts, settings, pace }), ...override };
  const result = await runPhase({ ...stage.ctx, gateway: gatewayOf(stage, id) }, { round, kind, target: id }, spec);
  const ttft = result.ttftMs ? `${result.ttftMs.p50.toFixed(1)} / ${result.ttftMs.p99.toFixed(1)} ms` : 'no text';
  const rate = kind === 'json' ? `, ${(result.completed / (result.wallMs / 1000)).toFixed(0)} req/s` : '';
  stage.log(
    `  ${round ? `round ${round}` : 'warm-up'} ${kind} ${level} ${id}: ${result.completed}/${result.offered} complete, ${kind === 'json' ? 'latency' : 'TTFT'} p50/p99 ${ttft}${rate}, ${(result.wallMs / 1000).toFixed(1)} s`,
  );
  return result;
}

export async function runRounds(stage: Stage): Promise<PhaseResult[]> {
  const { settings } = stage;
  const phases: PhaseResult[] = [];
  const jsonTargets = JSON_TARGETS.filter((t) => settings.targets.includes(t));
  stage.log('warm-up');
  for (const id of settings.targets) {
    phases.push(await phase(stage, 0, 'stream', id, 8, { perWorker: 2 }));
    if (jsonTargets.includes(id)) phases.push(await phase(stage, 0, 'json', id, 4, { durationMs: 1000 }));
  }
  for (let round = 1; round <= settings.rounds; round++) {
    stage.log(`round ${round} of ${settings.rounds}`);
    for (const level of settings.levels) {
      for (const id of rotate(settings.targets, round, settings.rounds)) phases.push(await phase(stage, round, 'stream', id, level));
    }
    for (const id of rotate(jsonTargets, round, settings.rounds)) phases.push(await phase(stage, round, 'json', id, settings.json.concurrency));
  }
  return phases;
}

/** Our server again, started with a low MAX_CONCURRENT_STREAMS, offered more streams than that at once. */
export async function runCapacity(stage: Stage, capacityServer: Running): Promise<PhaseResult[]> {
  const { settings } = stage;
  const capped: Stage = { ...stage, gateways: { ...stage.gateways, ours: capacityServer }, ports: { ...stage.ports, ours: capacityServer.port } };
  stage.log(`past capacity: MAX_CONCURRENT_STREAMS=${settings.capacity.maxConcurrentStreams}, ${settings.capacity.offered} streams offered`);
  const phases: PhaseResult[] = [];
  for (const id of ['ours-v1-keys', 'ours-chat-users'] as const) {
    if (!settings.targets.includes(id)) continue;
    await phase(capped, 0, 'stream', id, 8, { perWorker: 1 });
    const r = await phase(capped, 1, 'stream', id, settings.capacity.offered, { perWorker: 1 });
    stage.log(`    outcomes ${JSON.stringify(r.outcomes)}`);
    phases.push({ ...r, kind: 'capacity' });
  }
  return phases;
}
