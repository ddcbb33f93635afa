// What the pubsub bench children share (no dependency): their arguments, the CPU clock and the
// result line. Usage of each child: node pubsub-child-<subject>.mjs <endpoint> <caFile> <instanceUrl> <orgId> <token> <count>
export const TOPIC = '/event/Order_Event__e';

const [endpoint, caFile, instanceUrl, orgId, token, countText] = process.argv.slice(2);
export const args = { endpoint, caFile, instanceUrl, orgId, token, count: Number(countText) };

/** Client CPU (user + system, all threads) since `start`, in ms. */
export function cpuSince(start) {
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
}

/** Prints the result line the suite reads and exits. */
export function report(result) {
  process.stdout.write(`\n${JSON.stringify(result)}\n`);
  process.exit(0);
}
