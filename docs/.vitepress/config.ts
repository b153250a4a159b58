import { defineConfig } from 'vitepress';

export default defineConfig({
  title: 'svc',
  description: 'Keep services running, single, healthy and gracefully stoppable.',
  cleanUrls: true,
  themeConfig: {
    nav: [
      { text: 'Guide', link: '/' },
      { text: 'CLI', link: '/cli' },
      { text: 'Packages', link: '/packages/lock' },
      { text: 'Decisions', link: '/decisions' },
    ],
    sidebar: [
      {
        text: 'Introduction',
        items: [
          { text: 'What svc is', link: '/' },
          { text: 'The svc CLI', link: '/cli' },
          { text: 'Child ↔ supervisor protocol', link: '/protocol' },
          { text: 'Decisions', link: '/decisions' },
        ],
      },
      {
        text: 'Guides',
        items: [{ text: 'One active instance across hosts', link: '/guides/across-hosts' }],
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
