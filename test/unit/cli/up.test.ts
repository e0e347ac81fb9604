// kfed up's planning: members split over simulator processes, and the article's context aliases.
import t from 'tap';
import { memberAliases, SIMULATOR_GROUP, simulatorGroups } from '../../../cli/commands/up.js';

t.test('members go SIMULATOR_GROUP to a simulator process, in order, none lost or repeated', async (t) => {
  t.same(simulatorGroups(['san-francisco', 'new-york', 'berlin']), [['san-francisco', 'new-york', 'berlin']]);
  t.same(simulatorGroups([]), []);
  const hundred = Array.from({ length: 100 }, (_, i) => `member-${i}`);
  const groups = simulatorGroups(hundred);
  t.equal(groups.length, Math.ceil(100 / SIMULATOR_GROUP));
  t.ok(groups.every((g) => g.length >= 1 && g.length <= SIMULATOR_GROUP));
  t.same(groups.flat(), hundred);
  const uneven = simulatorGroups(hundred.slice(0, SIMULATOR_GROUP + 1));
  t.same(uneven.map((g) => g.length), [SIMULATOR_GROUP, 1]);
});

t.test('members with dashes get the article\'s context names without them', async (t) => {
  const cfg = {
    contexts: [
      { name: 'new-york', context: { cluster: 'new-york', user: 'new-york-admin' } },
      { name: 'berlin', context: { cluster: 'berlin', user: 'berlin-admin' } },
    ],
  };
  t.same(memberAliases(cfg, ['new-york', 'berlin']), [{ name: 'newyork', context: { cluster: 'new-york', user: 'new-york-admin' } }]);
});
