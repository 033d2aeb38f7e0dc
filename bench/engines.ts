import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';

export interface EnginesProcesses {
  sesEndpoint: string;
  dynamodbEndpoint: string;
  /** CPU seconds the engine processes have used so far (user + system). */
  cpuSeconds(): number;
  /** Their peak resident memory so far (VmHWM), in MB, summed. */
  peakMb(): number;
  stop(): void;
}

async function startOne(only: 'dynalite' | 'ses'): Promise<{ child: ChildProcess; endpoint: string }> {
  // BENCH_PROFILE_DIR=<dir>: CPU profiles of the engine processes too.
  const profile = process.env.BENCH_PROFILE_DIR
    ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE_DIR}`]
    : [];
  const child = spawn(
    process.execPath,
    [...profile, '--import', 'tsx', 'functions/local/engines-server.ts'],
    {
      // stdin stays open: when this process dies, however, the engines see it close and exit.
      stdio: ['pipe', 'pipe', 'inherit'],
      env: {
        ...process.env,
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
        ENGINES_EXIT_WITH_STDIN: '1',
        ENGINES_ONLY: only,
      },
    },
  );
  const line = await new Promise<string>((resolve, reject) => {
    if (!child.stdout) throw new Error('no stdout');
    createInterface({ input: child.stdout }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`engines exited with ${code}`)));
  });
  const endpoints = JSON.parse(line) as { sesEndpoint: string | null; dynamodbEndpoint: string | null };
  const endpoint = only === 'ses' ? endpoints.sesEndpoint : endpoints.dynamodbEndpoint;
  if (!endpoint) throw new Error(`the ${only} engine did not start`);
  return { child, endpoint };
}

/** /proc/<pid>/stat: utime and stime are fields 14 and 15, in clock ticks (100 per second). */
function cpuOf(pid: number | undefined): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

function peakOf(pid: number | undefined): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/^VmHWM:\s+(\d+) kB/m.exec(status)?.[1] ?? 0) / 1024;
}

/**
 * Starts dynalite and the SES emulator in a process each (each single-threaded engine can then
 * use a core of its own) and points this process at them.
 */
export async function startEnginesProcess(): Promise<EnginesProcesses> {
  const [dynamo, ses] = await Promise.all([startOne('dynalite'), startOne('ses')]);
  process.env.AWS_ENDPOINT_URL_DYNAMODB = dynamo.endpoint;
  process.env.AWS_ENDPOINT_URL_SES = ses.endpoint;
  process.env.AWS_ENDPOINT_URL_SESV2 = ses.endpoint;
  process.env.AWS_REGION ??= 'us-east-1';
  process.env.AWS_ACCESS_KEY_ID ??= 'local';
  process.env.AWS_SECRET_ACCESS_KEY ??= 'local';
  return {
    dynamodbEndpoint: dynamo.endpoint,
    sesEndpoint: ses.endpoint,
    cpuSeconds: () => cpuOf(dynamo.child.pid) + cpuOf(ses.child.pid),
    peakMb: () => peakOf(dynamo.child.pid) + peakOf(ses.child.pid),
    stop: () => {
      dynamo.child.kill('SIGTERM');
      ses.child.kill('SIGTERM');
    },
  };
}
