import { defineConfig } from 'vitepress';

export default defineConfig({
  title: 'svc',
  description: 'Keep services running, single, healthy and gracefully stoppable.',
  cleanUrls: true,
  head: [['link', { rel: 'icon', type: 'image/svg+xml', href: '/favicon.svg' }]],
  themeConfig: {
    search: { provider: 'local' },
    nav: [
      { text: 'Guide', link: '/guides/quick-start' },
      { text: 'CLI', link: '/cli' },
      { text: 'Packages', link: '/packages/lock' },
      { text: 'Decisions', link: '/decisions' },
    ],
    sidebar: [
      {
        text: 'Guides',
        items: [
          { text: 'Quick start', link: '/guides/quick-start' },
          { text: 'Migrating from PM2', link: '/guides/migrating-from-pm2' },
          { text: 'Zero-downtime reload for an existing app', link: '/guides/existing-app' },
          { text: 'Stacks: services that need each other', link: '/guides/stacks' },
          { text: 'The socket for other languages', link: '/guides/other-languages' },
          { text: 'Readiness and watchdog', link: '/guides/readiness' },
          { text: 'Containers', link: '/guides/containers' },
          { text: 'Kubernetes', link: '/guides/kubernetes' },
          { text: 'systemd and launchd', link: '/guides/systemd-launchd' },
          { text: 'Live view: svc monit and svc ui', link: '/guides/live-view' },
          { text: 'Troubleshooting', link: '/guides/troubleshooting' },
          { text: 'Observability', link: '/guides/observability' },
          { text: 'One active instance across hosts', link: '/guides/across-hosts' },
        ],
      },
      {
        text: 'Reference',
        items: [
          { text: 'The svc CLI', link: '/cli' },
          { text: 'Configuration', link: '/config' },
          { text: 'Child ↔ supervisor protocol', link: '/protocol' },
          { text: 'Decisions', link: '/decisions' },
          { text: 'How svc is tested', link: '/testing' },
        ],
      },
      {
        text: 'Packages',
        items: [
          { text: '@svc/lock', link: '/packages/lock' },
          { text: '@svc/ipc', link: '/packages/ipc' },
          { text: '@svc/health', link: '/packages/health' },
          { text: '@svc/drain', link: '/packages/drain' },
          { text: '@svc/supervisor', link: '/packages/supervisor' },
          { text: '@svc/installers', link: '/packages/installers' },
        ],
      },
    ],
  },
});
