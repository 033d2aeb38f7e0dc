import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

/** Starts the local engines in a child process (a core of their own) and points this process at them. */
export async function startEnginesProcess(): Promise<{
  sesEndpoint: string;
  dynamodbEndpoint: string;
  stop(): void;
}> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'functions/local/engines-server.ts'], {
    // stdin stays open: when this process dies, however, the engines see it close and exit.
    stdio: ['pipe', 'pipe', 'inherit'],
    env: {
      ...process.env,
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      ENGINES_EXIT_WITH_STDIN: '1',
    },
  });
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`engines exited with ${code}`)));
  });
  const endpoints = JSON.parse(line) as { sesEndpoint: string; dynamodbEndpoint: string };
  process.env.AWS_ENDPOINT_URL_DYNAMODB = endpoints.dynamodbEndpoint;
  process.env.AWS_ENDPOINT_URL_SES = endpoints.sesEndpoint;
  process.env.AWS_ENDPOINT_URL_SESV2 = endpoints.sesEndpoint;
  process.env.AWS_REGION ??= 'us-east-1';
  process.env.AWS_ACCESS_KEY_ID ??= 'local';
  process.env.AWS_SECRET_ACCESS_KEY ??= 'local';
  return { ...endpoints, stop: () => child.kill('SIGTERM') };
}
