import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { makeClients } from '../../../functions/adapters/clients.ts';
import { DynamoDeliveryStore } from '../../../functions/adapters/dynamo/delivery-store.ts';
import { DynamoIssueStore } from '../../../functions/adapters/dynamo/issue-store.ts';
import { ensureTables } from '../../../functions/adapters/dynamo/tables.ts';
import { formatDuration, planSend } from '../../../functions/core/send/plan.ts';
import { type LocalEngines, sesAccount, startLocalEngines } from '../../../functions/local/engines.ts';
import { type FaultProxy, startFaultProxy } from '../../../functions/local/fault-proxy.ts';
import { tableNames } from '../../../functions/wiring/settings.ts';
import { cli } from '../../helpers/cli.ts';
import { seedSubscribers } from '../../helpers/seed.ts';
import { emulatorStore, tempWorkspace } from '../../helpers/workspace.ts';

const quota = (max24HourSend: number, sentLast24Hours = 0, maxSendRate = 50) => ({
  maxSendRate,
  max24HourSend,
  sentLast24Hours,
});

describe('planSend', () => {
  it('uses SES MaxSendRate by default, a configured rate below it, never a rate above it', () => {
    expect(planSend(100, quota(10_000)).rate).toBe(50);
    expect(planSend(100, quota(10_000), 20).rate).toBe(20);
    expect(planSend(100, quota(10_000), 500).rate).toBe(50);
    expect(planSend(100, quota(10_000), 20).etaSeconds).toBe(5);
  });

  it('refuses when the quota left cannot cover the list with 10% headroom', () => {
    expect(planSend(1000, quota(1100)).refusal).toBeUndefined();
    const refused = planSend(1000, quota(1099));
    expect(refused.refusal).toMatch(/1099 messages left, but 1000 recipients need 1100 with 10% headroom/);
    expect(refused.refusal).toMatch(/--force/);
    // What was sent in the last 24 hours counts against the quota.
    expect(planSend(1000, quota(5000, 3901)).refusal).toBeDefined();
    expect(planSend(1000, quota(5000, 3900)).remainingQuota).toBe(1100);
    expect(planSend(0, quota(0)).refusal).toBeUndefined();
  });

  it('formats the ETA for people', () => {
    expect(formatDuration(42)).toBe('42s');
    expect(formatDuration(125)).toBe('2m 5s');
    expect(formatDuration(3 * 3600 + 60)).toBe('3h 1m');
    expect(formatDuration(Number.POSITIVE_INFINITY)).toBe('unknown');
  });
});

/** `digest send` in process, on real engines, with the quota the emulator reports. */
describe('digest send: plan, progress and summary', () => {
  const RECIPIENTS = 30;
  let engines: LocalEngines;
  let ws: Awaited<ReturnType<typeof tempWorkspace>>;
  let clients: ReturnType<typeof makeClients>;

  const setQuota = (max24HourSend: number, sentLast24Hours = 0) => {
    process.env.AWS_SES_ACCOUNT = JSON.stringify(sesAccount(quota(max24HourSend, sentLast24Hours)));
  };

  beforeAll(async () => {
    engines = await startLocalEngines();
    ws = await tempWorkspace({ env: { CI: '1' } });
    Object.assign(process.env, ws.env);
    clients = makeClients('us-east-1');
    await ensureTables(clients.dynamodb, tableNames(ws.config));
    await seedSubscribers(clients.ddb, ws.config.SUBSCRIBERS_TABLE, RECIPIENTS);
  });
  afterAll(async () => {
    clients?.dynamodb.destroy();
    await engines?.stop();
    await ws?.cleanup();
  });
  beforeEach(async () => {
    await fetch(`${engines.sesEndpoint}/clear-store`, { method: 'POST' });
  });

  it('refuses a list the daily quota cannot cover, and leaves nothing stored', async () => {
    setQuota(100, 70); // 30 left; 30 recipients need 33
    const r = await cli('send');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /refusing to send: the SES 24-hour quota has 30 messages left, but 30 recipients need 33/,
    );
    expect(r.stderr).toMatch(/--force/);
    expect(await emulatorStore(engines.sesEndpoint)).toHaveLength(0);
    expect(await new DynamoIssueStore(clients.ddb, ws.config.ISSUES_TABLE).list()).toHaveLength(0);
  });

  it('--force sends anyway, shows the plan, plain progress lines off a terminal, and a summary', async () => {
    setQuota(100, 70);
    const r = await cli('send', '--force');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /Plan: 30 confirmed recipient\(s\) at 50 msg\/s, ETA 1s; SES quota left today: 30 \(not enough with 10% headroom: sending anyway, --force\)/,
    );
    expect(r.stderr).toMatch(
      /30\/30 processed: sent 30, skipped 0, suppressed 0, failed 0, unknown 0; [\d.]+\/s, ETA 0s/,
    );
    expect(r.stdout).toMatch(
      /Sent 30 message\(s\); skipped 0 already sent; 0 suppressed; 0 failed; 0 unknown\. Issue state: sent\./,
    );
    expect(await emulatorStore(engines.sesEndpoint)).toHaveLength(RECIPIENTS);
  });

  describe('with SES rejecting one address', () => {
    let proxy: FaultProxy;
    beforeAll(async () => {
      proxy = await startFaultProxy(engines.sesEndpoint, {
        throttle: 0,
        serverError: 0,
        reset: 0,
        reject: ['reader7@example.com'],
      });
      process.env.AWS_ENDPOINT_URL_SES = proxy.url;
      process.env.AWS_ENDPOINT_URL_SESV2 = proxy.url;
      setQuota(10_000);
    });
    afterAll(async () => {
      process.env.AWS_ENDPOINT_URL_SES = engines.sesEndpoint;
      process.env.AWS_ENDPOINT_URL_SESV2 = engines.sesEndpoint;
      await proxy?.close();
    });

    it('exits non-zero, names the failed recipient and why, and says how to retry', async () => {
      const r = await cli('send', '--include-sent');
      expect(r.code).toBe(1);
      expect(r.stdout).toMatch(/Sent 29 message\(s\);.* 1 failed; 0 unknown\. Issue state: partial\./);
      expect(r.stderr).toMatch(/reader7@example\.com: failed: MessageRejected/);
      const issueId = /re-run `digest send --issue (\S+)` to retry them/.exec(r.stderr)?.[1];
      expect(issueId).toBeDefined();
      const record = await new DynamoDeliveryStore(clients.ddb, ws.config.DELIVERIES_TABLE, 90).get(
        issueId ?? '',
        'reader7@example.com',
      );
      expect(record?.state).toBe('failed');

      proxy.plan.reject = [];
      const again = await cli('send', '--issue', issueId ?? '');
      expect(again.code).toBe(0);
      expect(again.stdout).toMatch(/Sent 1 message\(s\); skipped 29 already sent/);
    });
  });
});
