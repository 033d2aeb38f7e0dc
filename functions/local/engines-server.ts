/**
 * Runs the local engines in their own process and prints their endpoints as one JSON line.
 * Benchmarks use it so the engines get cores of their own; a person can use it to share one
 * set of engines between commands:
 *   npx tsx functions/local/engines-server.ts   →  export AWS_ENDPOINT_URL_DYNAMODB=… AWS_ENDPOINT_URL_SES=…
 * Options (env): ENGINES_DYNAMO_PATH (default: in memory), ENGINES_SES_MAX_RATE,
 * ENGINES_ONLY=dynalite|ses (start one of the two; the other endpoint is printed as null).
 */
import { sesAccount, startLocalEngines } from './engines.ts';

const maxRate = Number(process.env.ENGINES_SES_MAX_RATE ?? 1000);
const only = process.env.ENGINES_ONLY;
if (only !== undefined && only !== 'dynalite' && only !== 'ses') {
  process.stderr.write(`ENGINES_ONLY must be dynalite or ses, got "${only}"\n`);
  process.exit(2);
}
// startLocalEngines starts only the engines whose endpoint variable is unset.
const env = { ...process.env };
delete env.AWS_ENDPOINT_URL_DYNAMODB;
delete env.AWS_ENDPOINT_URL_SES;
delete env.AWS_ENDPOINT_URL_SESV2;
if (only === 'ses') env.AWS_ENDPOINT_URL_DYNAMODB = 'unused';
if (only === 'dynalite') env.AWS_ENDPOINT_URL_SES = 'unused';
const quota = { maxSendRate: maxRate, max24HourSend: 10_000_000, sentLast24Hours: 0 };
// The SES emulator answers GetAccount from this process's own environment.
process.env.AWS_SES_ACCOUNT = JSON.stringify(sesAccount(quota));
const engines = await startLocalEngines({
  dynamoPath: process.env.ENGINES_DYNAMO_PATH || undefined,
  sesQuota: quota,
  env,
});
process.stdout.write(
  `${JSON.stringify({
    dynamodbEndpoint: engines.started.includes('dynalite') ? engines.dynamodbEndpoint : null,
    sesEndpoint: engines.started.includes('ses') ? engines.sesEndpoint : null,
  })}\n`,
);
const stop = () => {
  engines.stop().then(() => process.exit(0));
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
// Started by a bench with a pipe on stdin: exit when that process goes away, even if killed.
if (process.env.ENGINES_EXIT_WITH_STDIN === '1') process.stdin.on('end', stop).resume();
