// The authorization sweeps (README.md), generated from the OpenAPI document the server serves and
// run on PGlite and, when present, PostgreSQL. The document is read before the tests are made, so
// every route in it gets its own named test in each sweep.
import { afterAll, beforeAll, describe } from 'vitest';
import { testDbKinds, type DbKind } from '../../test/databases.js';
import { startSmtpInbox } from '../../test/smtp-inbox.js';
import type { TestApp } from '../../test/test-app.js';
import { bolaCounts, describeBolaSweep } from './bola-sweep.js';
import { describeMassAssignmentSweep, massAssignmentCounts } from './mass-assignment-sweep.js';
import { loadOperations } from './operations.js';
import { describePrivilegeSweep, privilegeCounts } from './privilege-sweep.js';
import { listTables } from './snapshots.js';
import { describeTokenSweep, tokenCounts } from './token-sweep.js';
import { buildSweepApp, buildWorld, type Sweep } from './world.js';

// The PGlite app that served the document is the PGlite half's app too (one start-up, not two).
const inbox = await startSmtpInbox();
const firstApp = await buildSweepApp('pglite', inbox);
const operations = await loadOperations(firstApp.app);

describe.each(testDbKinds())('authorization sweeps on %s', (kind: DbKind) => {
  let sweep: Sweep;
  beforeAll(async () => {
    Object.assign(tokenCounts, { routes: 0, cases: 0 });
    Object.assign(privilegeCounts, { routes: 0, cases: 0 });
    Object.assign(bolaCounts, { routes: 0, cases: 0 });
    Object.assign(massAssignmentCounts, { routes: 0, fields: 0, refused: 0, ignored: 0, notProven: [] });
    const t: TestApp = kind === 'pglite' ? firstApp : await buildSweepApp(kind, inbox);
    sweep = { t, inbox, world: await buildWorld(t), tables: await listTables(t.db) };
  });
  afterAll(async () => {
    await sweep?.t.close();
    if (kind === testDbKinds().at(-1)) await inbox.close();
    const m = massAssignmentCounts;
    console.log(
      `sweeps on ${kind}: JWT battery ${tokenCounts.routes} routes, ${tokenCounts.cases} cases; ` +
        `privilege ${privilegeCounts.routes} routes, ${privilegeCounts.cases} cases; BOLA ${bolaCounts.routes} routes, ${bolaCounts.cases} cases; ` +
        `mass assignment ${m.routes} routes (${m.refused} refuse the extras, ${m.ignored} ignore them), ${m.fields} fields injected` +
        (m.notProven.length ? `; not proven (no valid body without more setup): ${m.notProven.join(', ')}` : ''),
    );
  });

  describeTokenSweep(() => sweep, operations);
  describePrivilegeSweep(() => sweep, operations);
  describeBolaSweep(() => sweep, operations);
  describeMassAssignmentSweep(() => sweep, operations);
});
