// `kfed join NAME --cluster-context CTX`: registers a member cluster with its credentials from the local kubeconfig.
import { readFile } from 'node:fs/promises';
import * as E from 'fp-ts/lib/Either.js';
import { credentialSources, joinObjects, type MemberCredentials, type Source } from '../../libs/federation/join.js';
import { KUBECONFIG_KEY } from '../../libs/federation/member-access.js';
import { getPath, getRecord } from '../../libs/kube-api/json.js';
import { isDnsLabel } from '../../libs/config/codecs.js';
import type { Kubeconfig } from '../../libs/kubeconfig/kubeconfig.js';
import { parseCommandArgs } from '../args.js';
import { federationApi, shownName } from '../federation-api.js';
import { clientConfig, kubeconfigPaths, loadKubeconfig } from '../kubeconfigs.js';

export const summary = 'join a member cluster: its credentials from a kubeconfig context become a Secret and a Cluster';

const HELP = `usage: kfed join NAME --cluster-context CTX [--kubeconfig FILE] [--context FEDERATION_CONTEXT]

Reads the server and credentials of context CTX (a token or a client certificate, with the CA) from
the kubeconfig, as kubefed join did, and creates or updates through the federation API:
  secret/NAME in namespace kfed-system   data.kubeconfig: a kubeconfig with just that cluster and user
  cluster.federation/NAME                serverAddressByClientCIDRs 0.0.0.0/0 -> the server; secretRef NAME
Running it again prints "unchanged" for what is already so.

  --cluster-context  the member's context in the kubeconfig (required)
  --kubeconfig       kubeconfig file (default: $KUBECONFIG, else ~/.kube/config)
  --context          the federation's context (default federated-cluster)

Exit codes: 0 done, 1 the federation refused or could not be reached, 2 bad arguments or kubeconfig.`;

async function readSource(s: Source | undefined, base64: boolean): Promise<string | undefined> {
  if (s === undefined) return undefined;
  if (s._tag === 'Data') return s.value;
  const bytes = await readFile(s.path);
  return base64 ? bytes.toString('base64') : bytes.toString('utf8').trim();
}

export async function main(args: string[]): Promise<number> {
  const parsed = parseCommandArgs('join', HELP, args, {
    allowPositionals: true,
    options: { 'cluster-context': { type: 'string' }, kubeconfig: { type: 'string' }, context: { type: 'string', default: 'federated-cluster' } },
  });
  if (E.isLeft(parsed)) return parsed.left;
  const { values: opts, positionals } = parsed.right;
  const [name, ...extra] = positionals;
  const memberContext = opts['cluster-context'];
  if (name === undefined || extra.length > 0 || memberContext === undefined) {
    process.stderr.write(`kfed join: NAME and --cluster-context are required\n\n${HELP}\n`);
    return 2;
  }
  if (!isDnsLabel(name)) {
    process.stderr.write(`kfed join: cluster name "${name}" must be a DNS-1123 label (lowercase letters, digits and "-")\n`);
    return 2;
  }
  const cfg = await loadKubeconfig(kubeconfigPaths(opts.kubeconfig, process.env));
  const sources = E.chain((c: Kubeconfig) => credentialSources(c, memberContext))(cfg);
  const kc = E.chain((c: Kubeconfig) => clientConfig(c, opts.context))(cfg);
  if (E.isLeft(sources) || E.isLeft(kc)) {
    process.stderr.write(`kfed join: ${E.isLeft(sources) ? sources.left : (kc as E.Left<string>).left}\n`);
    return 2;
  }
  let credentials: MemberCredentials;
  try {
    const s = sources.right;
    const [caData, token, clientCertData, clientKeyData] = await Promise.all([
      readSource(s.ca, true), readSource(s.token, false), readSource(s.clientCert, true), readSource(s.clientKey, true),
    ]);
    credentials = {
      server: s.server, insecureSkipTlsVerify: s.insecureSkipTlsVerify,
      ...(caData === undefined ? {} : { caData }), ...(token === undefined ? {} : { token }),
      ...(clientCertData === undefined ? {} : { clientCertData }), ...(clientKeyData === undefined ? {} : { clientKeyData }),
    };
  } catch (err) {
    // The path only: the content of a credential file is never printed.
    process.stderr.write(`kfed join: cannot read a file that context "${memberContext}" names: ${(err as NodeJS.ErrnoException).path ?? (err as Error).message}\n`);
    return 2;
  }

  const { secret, cluster } = joinObjects(name, credentials);
  const api = federationApi(kc.right, opts.context);
  const steps = [
    { object: secret, differs: (stored: unknown) => getRecord(stored, 'data')[KUBECONFIG_KEY] !== getRecord(secret, 'data')[KUBECONFIG_KEY] },
    { object: cluster, differs: (stored: unknown) => JSON.stringify(getPath(stored, 'spec', 'serverAddressByClientCIDRs')) !== JSON.stringify(getPath(cluster, 'spec', 'serverAddressByClientCIDRs'))
      || JSON.stringify(getPath(stored, 'spec', 'secretRef')) !== JSON.stringify(getPath(cluster, 'spec', 'secretRef')) },
  ];
  for (const { object, differs } of steps) {
    const outcome = await api.put(object, differs);
    if (E.isLeft(outcome)) {
      process.stderr.write(`kfed join: ${outcome.left}\n`);
      return 1;
    }
    process.stdout.write(`${shownName(object)} ${outcome.right}\n`);
  }
  return 0;
}
