import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const DEMO_ORG_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../fixtures/demo-org');
