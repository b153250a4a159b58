import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import { freePort } from './helpers/http.js';
import { createSandbox, exampleService } from './helpers/sandbox.js';

it('svc metrics prints what the daemon serves to Prometheus, says where, and --json gives the samples', async () => {
  const sb = createSandbox();
  const [port, metricsPort] = [await freePort(), await freePort()];
  writeFileSync(path.join(sb.home, 'daemon.json'), JSON.stringify({ metrics: { listen: metricsPort } }));
  sb.writeConfig({ services: { web: exampleService(port) } });

  // No daemon yet: nothing to measure, and nothing is started to measure it.
  const none = await sb.ok(['metrics']);
  expect([none.stdout, none.stderr]).toEqual(['', 'no svc daemon runs: nothing is supervised (svc start starts one)\n']);
  expect(JSON.parse((await sb.ok(['metrics', '--json'])).stdout)).toMatchObject({ running: false, text: '', samples: [], http: null });

  await sb.ok(['start', 'web']);
  const { stdout, stderr } = await sb.ok(['metrics']);
  const project = /project="([^"]+)"/.exec(stdout)![1];
  expect(stdout).toContain(`svc_service_up{project="${project}",service="web",instance="0"} 1`);
  expect(stderr).toBe(`served at http://127.0.0.1:${metricsPort}/metrics\n`);
  // What Prometheus scrapes is the same families, from the same daemon.
  const scraped = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
  const names = (text: string) => [...new Set(text.split('\n').filter((l) => l.startsWith('# TYPE ')).map((l) => l.split(' ')[2]))];
  expect(names(scraped)).toEqual(names(stdout));
  expect(scraped).toContain(`svc_service_up{project="${project}",service="web",instance="0"} 1`);

  const json = JSON.parse((await sb.ok(['metrics', '--json'])).stdout) as {
    running: boolean;
    samples: Array<{ name: string; labels: Record<string, string>; value: number }>;
    http: { url: string };
    settingsFile: string;
  };
  expect(json).toMatchObject({ running: true, http: { url: `http://127.0.0.1:${metricsPort}/metrics`, error: null }, settingsFile: path.join(sb.home, 'daemon.json') });
  expect(json.samples.find((s) => s.name === 'svc_service_up')).toEqual({ name: 'svc_service_up', labels: { project, service: 'web', instance: '0' }, value: 1 });
  expect(json.samples.find((s) => s.name === 'svc_daemon_info')).toMatchObject({ labels: { version: expect.stringMatching(/^\d+\.\d+\.\d+/) }, value: 1 });
  expect(json.samples.find((s) => s.name === 'svc_service_exits_total' || s.name === 'svc_service_memory_bytes')).toBeDefined();
  await sb.ok(['stop', 'web']);
});

it('an invalid daemon settings file stops the daemon from starting, and svc start says which key', async () => {
  const sb = createSandbox();
  const port = await freePort();
  writeFileSync(path.join(sb.home, 'daemon.json'), JSON.stringify({ metrics: { listen: 'everywhere' } }));
  sb.writeConfig({ services: { web: exampleService(port) } });
  const failed = await sb.svc(['start', 'web']);
  expect(failed.code).toBe(1);
  expect(failed.stderr).toContain(`invalid option metrics.listen (in ${path.join(sb.home, 'daemon.json')}): "everywhere"; expected a port (1-65535, served on 127.0.0.1)`);
  // Fixed: the next start works.
  writeFileSync(path.join(sb.home, 'daemon.json'), JSON.stringify({ metrics: { listen: null } }));
  await sb.ok(['start', 'web']);
  const { stderr } = await sb.ok(['metrics']);
  expect(stderr).toBe(`not served over HTTP: set "metrics": { "listen": "127.0.0.1:9464" } in ${path.join(sb.home, 'daemon.json')}, then svc daemon restart\n`);
  await sb.ok(['stop', 'web']);
});
