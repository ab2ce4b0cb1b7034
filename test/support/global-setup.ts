import type { TestProject } from 'vitest/node';
import { dropDatabase } from '../../src/db/migrate.ts';
import { createDatabase } from './database.ts';
import { answers } from './ports.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string;
    redisUrl: string;
  }
}

const answersAt = (url: string) => {
  const u = new URL(url);
  return answers(u.hostname, Number(u.port) || (u.protocol.startsWith('redis') ? 6379 : 5432), 1_000);
};

/**
 * One database per test run, for every group (created, migrated, dropped afterwards), on the local
 * Postgres when it answers; otherwise a throwaway container via testcontainers, where Docker runs.
 * Each test file then uses its own Redis key prefix, so runs and files never collide.
 */
export default async function setup(project: TestProject) {
  const stops: Array<() => Promise<unknown>> = [];

  let baseDb = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  if (!(await answersAt(baseDb))) {
    const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
    const pgc = await new PostgreSqlContainer('postgres:17-alpine').start();
    stops.push(() => pgc.stop());
    baseDb = pgc.getConnectionUri();
  }
  let redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  if (!(await answersAt(redisUrl))) {
    const { RedisContainer } = await import('@testcontainers/redis');
    const rc = await new RedisContainer('redis:7-alpine').start();
    stops.push(() => rc.stop());
    redisUrl = rc.getConnectionUrl();
  }

  const url = new URL(baseDb);
  url.pathname = `/pakn_test_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
  const databaseUrl = url.toString();
  await createDatabase(databaseUrl);

  project.provide('databaseUrl', databaseUrl);
  project.provide('redisUrl', redisUrl);

  return async () => {
    await dropDatabase(databaseUrl).catch(() => {});
    for (const stop of stops) await stop();
  };
}
