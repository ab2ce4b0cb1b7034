import { availableParallelism, cpus, release, totalmem } from 'node:os';
import { serverSettings, serverVersion } from './pg-admin.ts';

/** What the figures were measured on. */
export function machineInfo() {
  return {
    cpus: availableParallelism(),
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    kernel: release(),
    node: process.version,
  };
}

/** The machine and the Postgres server at `pgBase`, with the lines a run prints about them. */
export async function runEnvironment(pgBase: string) {
  const machine = machineInfo();
  const postgres = { version: await serverVersion(pgBase), settings: await serverSettings(pgBase) };
  return {
    machine,
    postgres,
    lines: [
      `machine: ${machine.cpus} CPUs (${machine.cpuModel}), ${machine.memoryGiB} GiB, Node ${machine.node}`,
      `postgres: ${postgres.version.split(' on ')[0]}; ${JSON.stringify(postgres.settings)}`,
    ],
  };
}
