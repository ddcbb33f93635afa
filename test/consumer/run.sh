#!/usr/bin/env bash
# The consumer test: sfgen as a user installs it, outside this repository.
#
#  1. pack both packages (`sfgen`, the runtime, from runtime/; `sfgen-cli` from the root);
#  2. app "full" (npm, tarballs): runtime as a dependency, CLI as a devDependency; start
#     `sfgen simulate`, `sfgen generate` from it through SF_INSTANCE_URL/SF_ACCESS_TOKEN, then
#     type-check the README's quick start under NodeNext and under bundler resolution and run it
#     against the simulator;
#  3. app "runtime-only": only the runtime tarball; it must not install TypeScript, ts-morph,
#     handlebars or commander, and importing `sfgen/runtime` must not load grpc-js, avsc or the CSV
#     code (they sit behind `sfgen/pubsub` and `sfgen/bulk`);
#  4. app "linked" (npm, folders: symlinked installs) and app "pnpm" (pnpm's strict layout): the
#     generated code resolves with nothing hoisted (it imports only `sfgen/runtime`);
#  5. app "git": the CLI from a git URL (npm runs `prepare` in a clone), bringing the runtime.
#
# Prints `consumer: N passed, M failed` and exits non-zero when anything failed.
set -uo pipefail
REPO="$(cd "$(dirname "$0")/../.." && pwd)"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/sfgen-consumer.XXXXXX")"
SIM_PID=""
passed=0
failed=0
cleanup() {
  if [ -n "$SIM_PID" ]; then kill "$SIM_PID" 2>/dev/null; wait "$SIM_PID" 2>/dev/null; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

ok() { echo "  ok   $*"; passed=$((passed + 1)); }
ko() { echo "  FAIL $*"; failed=$((failed + 1)); }
check() { # check "name" command...
  local name="$1"; shift
  local log="$WORK/log.$((passed + failed))"
  if "$@" >"$log" 2>&1; then ok "$name"; else ko "$name"; sed 's/^/       | /' "$log" | tail -40; fi
}
finish() {
  echo "consumer: ${passed} passed, ${failed} failed"
  [ "$failed" -eq 0 ]
  exit $?
}

export npm_config_audit=false npm_config_fund=false npm_config_update_notifier=false npm_config_loglevel=error
TSVER="$(node -p "require('$REPO/node_modules/typescript/package.json').version")"
TYPES_NODE="$(node -p "require('$REPO/node_modules/@types/node/package.json').version")"

echo "== pack"
mkdir -p "$WORK/packs"
check "npm pack runtime/ (sfgen)" bash -c "cd '$REPO/runtime' && npm pack --pack-destination '$WORK/packs'"
check "npm pack . (sfgen-cli)" bash -c "cd '$REPO' && npm pack --pack-destination '$WORK/packs'"
RT_TGZ="$(ls "$WORK"/packs/sfgen-0*.tgz 2>/dev/null | head -1)"
CLI_TGZ="$(ls "$WORK"/packs/sfgen-cli-*.tgz 2>/dev/null | head -1)"
if [ -z "$RT_TGZ" ] || [ -z "$CLI_TGZ" ]; then ko "both tarballs exist"; finish; fi
check "runtime tarball holds the built runtime and the demo org, not the generator" bash -c "
  tar tzf '$RT_TGZ' > '$WORK/rt.list' &&
  grep -q 'package/dist/index.js' '$WORK/rt.list' && grep -q 'package/dist/demo-org/sobjects.json' '$WORK/rt.list' &&
  grep -q 'package/LICENSE' '$WORK/rt.list' && ! grep -q 'ts-morph\|generator/' '$WORK/rt.list'"

new_app() { # new_app DIR
  mkdir -p "$1/src"
  cat >"$1/package.json" <<'JSON'
{ "name": "consumer-app", "version": "1.0.0", "private": true, "type": "module" }
JSON
}

# The README's quick start, with its imports pointed at the app's generated code.
write_quickstart() { # write_quickstart APPDIR
  sed -e "s#'\.\./\.\./generated/#'./generated/#g" "$REPO/test/examples/quickstart.ts" >"$1/src/quickstart.ts"
  cat >"$1/src/main.ts" <<'TS'
import { createClient } from 'sfgen/runtime';
import { quickstart } from './quickstart.js';

const instanceUrl = process.env.SF_INSTANCE_URL ?? '';
const accessToken = process.env.SF_ACCESS_TOKEN ?? '';
const client = createClient({ auth: { instanceUrl, accessToken }, allowInsecureLoopback: true });
try {
  const result = await quickstart(client);
  if (!/^001/.test(result.id) || !result.names.includes('Acme') || result.checked < 1) throw new Error(`unexpected result ${JSON.stringify(result)}`);
  console.log(JSON.stringify(result));
} finally {
  await client.close();
}
TS
}

write_tsconfig() { # write_tsconfig APPDIR nodenext|bundler
  if [ "$2" = nodenext ]; then
    cat >"$1/tsconfig.json" <<'JSON'
{ "compilerOptions": { "target": "ES2022", "module": "NodeNext", "moduleResolution": "NodeNext", "strict": true,
  "noUncheckedIndexedAccess": true, "skipLibCheck": false, "types": ["node"], "outDir": "dist", "rootDir": "src" },
  "include": ["src"] }
JSON
  else
    cat >"$1/tsconfig.bundler.json" <<'JSON'
{ "compilerOptions": { "target": "ES2022", "module": "ESNext", "moduleResolution": "Bundler", "strict": true,
  "skipLibCheck": false, "types": ["node"], "noEmit": true },
  "include": ["src"] }
JSON
  fi
}

echo "== app: full (tarballs)"
FULL="$WORK/full"
new_app "$FULL"
check "install the runtime (dependency) and the CLI (devDependency) from tarballs" bash -c "
  cd '$FULL' && npm install '$RT_TGZ' && npm install -D '$CLI_TGZ' typescript@$TSVER @types/node@$TYPES_NODE"
check "sfgen --version and --help" bash -c "cd '$FULL' && npx sfgen --version && npx sfgen --help | grep -q generate"
check "generate with no org named fails and lists the ways to name one" bash -c "
  cd '$FULL' && env -u SF_INSTANCE_URL -u SF_ACCESS_TOKEN HOME='$FULL' npx sfgen generate --out src/generated 2>err.txt; test \$? -eq 1 && grep -q -- '--target-org' err.txt && test ! -e src/generated"
# Start the simulator the user would run, and generate from it as from an org.
( cd "$FULL" && exec npx sfgen simulate --grpc-port 0 --json >"$WORK/sim.json" 2>"$WORK/sim.err" ) &
SIM_PID=$!
for _ in $(seq 1 240); do grep -q '"instanceUrl".*}$' "$WORK/sim.json" 2>/dev/null && break; sleep 0.5; done
if grep -q '"instanceUrl".*}$' "$WORK/sim.json" 2>/dev/null; then
  ok "sfgen simulate starts and prints its URL and a token"
  export SF_INSTANCE_URL="$(node -p "JSON.parse(require('fs').readFileSync('$WORK/sim.json','utf8').split('\n').find((l) => l.includes('"instanceUrl"') && l.endsWith('}'))).instanceUrl")"
  export SF_ACCESS_TOKEN="$(node -p "JSON.parse(require('fs').readFileSync('$WORK/sim.json','utf8').split('\n').find((l) => l.includes('"instanceUrl"') && l.endsWith('}'))).accessToken")"
  # Event schemas are discovered over the simulator's Pub/Sub endpoint (TLS with its certificate).
  export SF_PUBSUB_ENDPOINT="$(node -p "JSON.parse(require('fs').readFileSync('$WORK/sim.json','utf8').split('\n').find((l) => l.includes('"instanceUrl"') && l.endsWith('}'))).grpc.endpoint")"
  export SF_PUBSUB_CA_FILE="$(node -p "JSON.parse(require('fs').readFileSync('$WORK/sim.json','utf8').split('\n').find((l) => l.includes('"instanceUrl"') && l.endsWith('}'))).grpc.caFile")"
else
  ko "sfgen simulate starts and prints its URL and a token"; cat "$WORK/sim.err"; finish
fi
check "sfgen generate from the simulator (SF_INSTANCE_URL + SF_ACCESS_TOKEN)" bash -c "
  cd '$FULL' && npx sfgen generate --out src/generated --objects Account,Contact,User,RecordType && test -f src/generated/sobjects/Account.ts && test -f src/generated/schema.lock.json"
check "generated code imports nothing but sfgen/runtime and sfgen/validation" bash -c "
  cd '$FULL/src/generated' && ! grep -rhoE \"from '[^.][^']*'\" . | grep -vE \"from 'sfgen/(runtime|validation)'\""
write_quickstart "$FULL"
write_tsconfig "$FULL" nodenext
write_tsconfig "$FULL" bundler
check "the quick start type-checks under strict NodeNext (skipLibCheck off)" bash -c "cd '$FULL' && npx tsc -p tsconfig.json --noEmit"
check "the quick start type-checks under bundler resolution" bash -c "cd '$FULL' && npx tsc -p tsconfig.bundler.json"
check "the quick start runs against the simulator" bash -c "cd '$FULL' && npx tsc -p tsconfig.json && node dist/main.js | grep -q Acme"
check "sfgen check against the same org reports no drift" bash -c "cd '$FULL' && npx sfgen check --out src/generated --no-usage"
check "the simulator defaults to the bundled demo org from an app" bash -c "
  cd '$FULL' && node --input-type=module -e \"
    import { startSimulator, DEMO_ORG_DIR } from 'sfgen/simulator';
    const sim = await startSimulator();
    const ok = sim.org.objectNames().includes('Account') && DEMO_ORG_DIR.includes('node_modules');
    await sim.close();
    if (!ok) throw new Error('demo org not served: ' + DEMO_ORG_DIR);\""

echo "== app: runtime only"
RT="$WORK/runtime-only"
new_app "$RT"
check "install only the runtime tarball" bash -c "cd '$RT' && npm install '$RT_TGZ'"
check "no TypeScript, ts-morph, handlebars or commander installed" bash -c "
  cd '$RT' && for p in typescript ts-morph handlebars commander sfgen-cli; do test ! -e node_modules/\$p || { echo \"\$p installed\"; exit 1; }; done"
cat >"$RT/trace.mjs" <<'JS'
import { register } from 'node:module';
register('data:text/javascript,' + encodeURIComponent(`
  export async function resolve(specifier, context, next) {
    const r = await next(specifier, context);
    // services/pubsub/event.js is plain data (EventDefinition): generated code may reach it.
    if (/grpc-js|proto-loader|avsc|csv|[\\/](zod|undici)[\\/]|services\\/bulk|services\\/pubsub\\/(?!event\\.js)/.test(r.url)) {
      process.stderr.write('LOADED ' + r.url + '\\n');
    }
    return r;
  }`));
JS
check "importing sfgen/runtime loads no gRPC, Avro, Bulk, zod or undici code" bash -c "
  cd '$RT' && node --import ./trace.mjs --input-type=module -e \"import { createClient } from 'sfgen/runtime'; if (typeof createClient !== 'function') process.exit(1);\" 2>trace.txt; test \$? -eq 0 && ! grep -q LOADED trace.txt || { cat trace.txt; exit 1; }"

echo "== app: linked (folder installs, symlinked)"
LINKED="$WORK/linked"
new_app "$LINKED"
check "install the runtime and the CLI from folders" bash -c "cd '$LINKED' && npm install '$REPO/runtime' && npm install -D '$REPO' typescript@$TSVER @types/node@$TYPES_NODE"
check "zod is not hoisted into the app (strict layout)" bash -c "cd '$LINKED' && test ! -e node_modules/zod"
check "generate, type-check and run the quick start" bash -c "
  cd '$LINKED' && npx sfgen generate --out src/generated --objects Account,Contact,User,RecordType" 
write_quickstart "$LINKED"
write_tsconfig "$LINKED" nodenext
check "the quick start type-checks and runs with symlinked packages" bash -c "cd '$LINKED' && npx tsc -p tsconfig.json && node dist/main.js | grep -q Acme"

echo "== app: pnpm"
PNPM_APP="$WORK/pnpm"
new_app "$PNPM_APP"
cp -r "$FULL/src/." "$PNPM_APP/src/"
rm -rf "$PNPM_APP/dist"
write_tsconfig "$PNPM_APP" nodenext
check "pnpm installs the runtime tarball (strict layout) and the app type-checks and runs" bash -c "
  cd '$PNPM_APP' && npx --yes pnpm@10 add '$RT_TGZ' && npx --yes pnpm@10 add -D typescript@$TSVER @types/node@$TYPES_NODE &&
  test ! -e node_modules/zod && ./node_modules/.bin/tsc -p tsconfig.json && node dist/main.js | grep -q Acme"

echo "== app: git URL"
GIT_APP="$WORK/git"
new_app "$GIT_APP"
if git -C "$REPO" rev-parse HEAD >/dev/null 2>&1; then
  check "npm installs the CLI from a git URL (prepare builds it) and it brings the runtime" bash -c "
    cd '$GIT_APP' && npm install -D 'git+file://$REPO' && npx sfgen --version &&
    node --input-type=module -e \"import { createClient } from 'sfgen/runtime'; if (typeof createClient !== 'function') process.exit(1);\""
fi

finish
