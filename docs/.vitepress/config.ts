import { defineConfig } from 'vitepress';

export default defineConfig({
  title: 'svc',
  description: 'Keep services running, single, healthy and gracefully stoppable.',
  cleanUrls: true,
  themeConfig: {
    nav: [
      { text: 'Guide', link: '/' },
      { text: 'Packages', link: '/packages/lock' },
      { text: 'Decisions', link: '/decisions' },
    ],
    sidebar: [
      { text: 'Introduction', items: [{ text: 'What svc is', link: '/' }, { text: 'Decisions', link: '/decisions' }] },
      {
        text: 'Packages',
        items: [
          { text: '@svc/lock', link: '/packages/lock' },
          { text: '@svc/ipc', link: '/packages/ipc' },
          { text: '@svc/health', link: '/packages/health' },
          { text: '@svc/drain', link: '/packages/drain' },
          { text: '@svc/installers', link: '/packages/installers' },
        ],
      },
    ],
  },
});
