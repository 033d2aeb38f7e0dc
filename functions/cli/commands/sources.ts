import { defineCommand } from 'citty';

/** `digest sources add|list|remove`: one file per subcommand, loaded on use. */
export default defineCommand({
  meta: { name: 'sources', description: 'Manage the feeds and pages the digest is made from' },
  subCommands: {
    add: () => import('./sources-add.ts').then((m) => m.default),
    list: () => import('./sources-list.ts').then((m) => m.default),
    remove: () => import('./sources-remove.ts').then((m) => m.default),
  },
});
