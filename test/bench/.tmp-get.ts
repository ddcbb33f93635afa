import { startSimulator } from '../../runtime/simulation/index.js';
import { writeMiniOrg } from '../runtime/fixtures/mini-org.js';
import { execFileSync } from 'node:child_process';
const dir = writeMiniOrg({ accounts: 10 });
const sim = await startSimulator({ metadataDir: dir });
const id = (sim.store.records('Account')[0] as { Id: string }).Id;
const out = execFileSync(process.execPath, ['--conditions=sfgen-source', '--import', 'tsx', 'test/bench/suites/query-stream.ts', '--child', 'get', sim.url, sim.issueAccessToken(), id]).toString();
console.log(out.trim().split('\n').at(-1));
await sim.close();
