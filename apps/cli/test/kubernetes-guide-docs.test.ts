import { readFileSync } from 'node:fs';
import path from 'node:path';
import { DEFAULTS as HEALTH } from '@svc/health';
import { DEFAULTS as SUPERVISOR } from '@svc/supervisor/definition';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { DEFAULTS as DRAIN } from '../../../packages/drain/src/defaults.js';
import { planPhases } from '../../../packages/drain/src/stop-deadline.js';

const page = path.resolve(import.meta.dirname, '../../../docs/guides/kubernetes.md');
const text = readFileSync(page, 'utf8');

interface Probe {
  httpGet: { path: string };
  periodSeconds: number;
  timeoutSeconds?: number;
  failureThreshold: number;
}
interface Deployment {
  kind: 'Deployment';
  spec: {
    template: {
      spec: {
        terminationGracePeriodSeconds: number;
        containers: Array<{
          env: Array<{ name: string; value: string }>;
          startupProbe: Probe;
          readinessProbe: Probe;
          livenessProbe: Probe;
          lifecycle: { preStop: { sleep: { seconds: number } } };
        }>;
      };
    };
  };
}

/** Every YAML document of the page's yaml blocks, each parsed; a syntax error fails the test. */
function manifests(): unknown[] {
  const blocks = [...text.matchAll(/^```yaml[^\n]*\n([\s\S]*?)^```$/gm)].map((m) => m[1]!);
  expect(blocks.length).toBeGreaterThan(0);
  return blocks.flatMap((block) =>
    parseAllDocuments(block).map((doc) => {
      expect(doc.errors.map((e) => e.message)).toEqual([]);
      return doc.toJS() as unknown;
    }),
  );
}

describe('docs/guides/kubernetes.md: valid manifests and one budget taken from the defaults', () => {
  const deployment = manifests().find((m): m is Deployment => (m as { kind?: string }).kind === 'Deployment')!;
  const pod = deployment.spec.template.spec;
  const container = pod.containers[0]!;

  it('the grace period covers preStop, the drain and one hook, as the page adds them up', () => {
    const preStop = container.lifecycle.preStop.sleep.seconds;
    const used = preStop + DRAIN.timeoutMs / 1000 + DRAIN.hookTimeoutMs / 1000;
    expect(DRAIN.readinessDelayMs).toBe(0);
    expect(used).toBeLessThan(pod.terminationGracePeriodSeconds);
    expect(text).toContain(`preStop ${preStop} s + drain ${DRAIN.timeoutMs / 1000} s + hooks ${DRAIN.hookTimeoutMs / 1000} s = ${used} s`);
    expect(text).toContain(`**at most ${used} s**`);
  });

  it('the probes are the ones the page says they mirror', () => {
    expect(container.startupProbe.httpGet.path).toBe('/startup');
    expect(container.readinessProbe.httpGet.path).toBe('/ready');
    expect(container.livenessProbe.httpGet.path).toBe('/alive');
    // /ready runs the critical checks: the probe waits longer than a check may take.
    expect(container.readinessProbe.timeoutSeconds! * 1000).toBeGreaterThan(HEALTH.checkTimeoutMs);
    expect(container.startupProbe.periodSeconds * container.startupProbe.failureThreshold * 1000).toBe(SUPERVISOR.readiness.timeoutMs);
    expect(container.livenessProbe.periodSeconds * 1000).toBe(SUPERVISOR.liveness.intervalMs);
    expect(container.livenessProbe.timeoutSeconds! * 1000).toBe(SUPERVISOR.liveness.timeoutMs);
    expect(container.livenessProbe.failureThreshold).toBe(SUPERVISOR.liveness.failureThreshold);
    // The example server binds 127.0.0.1 unless told otherwise, and the kubelet probes the pod's IP.
    expect(container.env).toContainEqual({ name: 'HOST', value: '0.0.0.0' });
  });

  it('under svc run, the split of stop.timeout it states is what @svc/drain plans', () => {
    const stopTimeoutMs = SUPERVISOR.stop.timeoutMs;
    const plan = planPhases({
      timeoutMs: DRAIN.timeoutMs,
      readinessDelayMs: DRAIN.readinessDelayMs,
      stopTimeoutMs,
      stopMarginMs: DRAIN.stopMarginMs,
      hooksShare: DRAIN.hooksShare,
      hookTimeoutsMs: [DRAIN.hookTimeoutMs],
    });
    const s = (ms: number) => `${ms / 1000} s`;
    expect(text).toContain(`${DRAIN.stopMarginMs} ms (\`stopMarginMs\`)`);
    expect(text).toContain(`remaining ${s(plan.exitDeadlineMs!)}`);
    expect(text).toContain(s(plan.exitDeadlineMs! - plan.drainTimeoutMs));
    expect(text).toContain(`(${s(plan.drainTimeoutMs)} when`);
    expect(text).toContain(`\`stop.timeout\` ${s(stopTimeoutMs)}`);
  });
});
