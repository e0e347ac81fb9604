// `kfed unjoin NAME`: removes a member cluster's Cluster and its kubeconfig Secret from the federation.
import * as E from 'fp-ts/lib/Either.js';
import { joinObjects } from '../../libs/federation/join.js';
import { getString } from '../../libs/kube-api/json.js';
import type { Kubeconfig } from '../../libs/kubeconfig/kubeconfig.js';
import { parseCommandArgs } from '../args.js';
import { federationApi, shownName } from '../federation-api.js';
import { clientConfig, kubeconfigPaths, loadKubeconfig } from '../kubeconfigs.js';

export const summary = 'unjoin a member cluster: delete its Cluster and its kubeconfig Secret';

const HELP = `usage: kfed unjoin NAME [--kubeconfig FILE] [--context FEDERATION_CONTEXT]

Deletes cluster.federation/NAME and the Secret it names in kfed-system (secret/NAME if the Cluster is
gone already). What does not exist is reported as "not found"; that is not an error.

  --kubeconfig  kubeconfig file (default: $KUBECONFIG, else ~/.kube/config)
  --context     the federation's context (default federated-cluster)

Exit codes: 0 done, 1 the federation refused or could not be reached, 2 bad arguments or kubeconfig.`;

export async function main(args: string[]): Promise<number> {
  const parsed = parseCommandArgs('unjoin', HELP, args, {
    allowPositionals: true,
    options: { kubeconfig: { type: 'string' }, context: { type: 'string', default: 'federated-cluster' } },
  });
  if (E.isLeft(parsed)) return parsed.left;
  const { values: opts, positionals } = parsed.right;
  const [name, ...extra] = positionals;
  if (name === undefined || extra.length > 0) {
    process.stderr.write(`kfed unjoin: NAME is required\n\n${HELP}\n`);
    return 2;
  }
  const kc = E.chain((c: Kubeconfig) => clientConfig(c, opts.context))(await loadKubeconfig(kubeconfigPaths(opts.kubeconfig, process.env)));
  if (E.isLeft(kc)) {
    process.stderr.write(`kfed unjoin: ${kc.left}\n`);
    return 2;
  }
  const api = federationApi(kc.right, opts.context);
  const { cluster, secret } = joinObjects(name, { server: '' });
  const stored = await api.read(cluster);
  if (E.isLeft(stored)) {
    process.stderr.write(`kfed unjoin: ${stored.left}\n`);
    return 1;
  }
  const secretName = getString(stored.right, 'spec', 'secretRef', 'name') ?? name;
  for (const object of [cluster, { ...secret, metadata: { ...secret.metadata, name: secretName } }]) {
    const outcome = await api.remove(object);
    if (E.isLeft(outcome)) {
      process.stderr.write(`kfed unjoin: ${outcome.left}\n`);
      return 1;
    }
    process.stdout.write(`${shownName(object)} ${outcome.right}\n`);
  }
  return 0;
}
