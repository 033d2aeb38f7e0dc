/**
 * Runs the local engines in their own process and prints their endpoints as one JSON line.
 * Benchmarks use it so the engines get a core of their own; a person can use it to share one
 * set of engines between commands:
 *   npx tsx functions/local/engines-server.ts   →  export AWS_ENDPOINT_URL_DYNAMODB=… AWS_ENDPOINT_URL_SES=…
 * Options (env): ENGINES_DYNAMO_PATH (default: in memory), ENGINES_SES_MAX_RATE.
 */
import { startLocalEngines } from './engines.ts';

const maxRate = Number(process.env.ENGINES_SES_MAX_RATE ?? 1000);
const engines = await startLocalEngines({
  dynamoPath: process.env.ENGINES_DYNAMO_PATH || undefined,
  sesQuota: { maxSendRate: maxRate, max24HourSend: 10_000_000, sentLast24Hours: 0 },
});
process.stdout.write(
  `${JSON.stringify({ dynamodbEndpoint: engines.dynamodbEndpoint, sesEndpoint: engines.sesEndpoint })}\n`,
);
const stop = () => {
  engines.stop().then(() => process.exit(0));
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
// Started by a bench with a pipe on stdin: exit when that process goes away, even if killed.
if (process.env.ENGINES_EXIT_WITH_STDIN === '1') process.stdin.on('end', stop).resume();
