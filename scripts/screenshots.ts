/**
 * `npm run screenshots`: runs the browser tests (vitest's `browser` project) with PAKN_SCREENSHOTS=1,
 * so that they write the console's main screens to docs/screenshots/<name>.png (1280×800, and 360×740
 * for phone views; test/support/browser.ts) — among them the installation campaign's dashboard (on a
 * desk and on a phone), a unit's dry-run report and the coordinator's conflicts
 * (test/browser/campaigns.test.ts: campaign-dashboard, campaign-dashboard-phone,
 * campaign-upload-report, campaign-conflicts). Arguments are passed on to vitest, e.g.
 * `npm run screenshots -- test/browser/sign-in.test.ts`. Needs what the tests need: Postgres, Redis
 * and Chromium (README, "Tests").
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const vitest = fileURLToPath(new URL('../node_modules/vitest/vitest.mjs', import.meta.url));

const child = spawn(process.execPath, [vitest, 'run', '--project', 'browser', ...process.argv.slice(2)], {
  cwd: root,
  env: { ...process.env, PAKN_SCREENSHOTS: '1' },
  stdio: 'inherit',
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => {
  if (code === 0) console.log('Screenshots written to docs/screenshots/.');
  process.exit(code ?? (signal ? 1 : 0));
});
