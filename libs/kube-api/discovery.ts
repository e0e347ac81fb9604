// Discovery documents: /version, legacy /api, /apis and per-group-version resource lists, and aggregated discovery.
import * as t from 'io-ts';
import { apiVersionOf, type ResourceType } from './resources.js';

export const VersionInfo = t.type({
  major: t.string,
  minor: t.string,
  gitVersion: t.string,
  gitCommit: t.string,
  gitTreeState: t.string,
  buildDate: t.string,
  goVersion: t.string,
  compiler: t.string,
  platform: t.string,
});
export type VersionInfo = t.TypeOf<typeof VersionInfo>;

/**
 * `/version`. gitVersion must be a semantic version (kubectl parses it); `minor` picks the kubectl the gcloud
 * dispatcher runs, so it stays within 1.27–1.33.
 */
export function versionInfo(overrides: Partial<VersionInfo> = {}): VersionInfo {
  return {
    major: '1',
    minor: '32',
    gitVersion: 'v1.32.0-kfed',
    gitCommit: 'unknown',
    gitTreeState: 'clean',
    buildDate: '2025-01-01T00:00:00Z',
    goVersion: 'go1.23',
    compiler: 'gc',
    platform: 'linux/amd64',
    ...overrides,
  };
}

interface GroupVersions {
  readonly group: string;
  readonly versions: readonly string[];
}

/** Groups and their versions in catalog order; the first version of a group is its preferred one. */
function groupVersions(types: readonly ResourceType[]): GroupVersions[] {
  const groups = new Map<string, string[]>();
  for (const ty of types) {
    const versions = groups.get(ty.group) ?? [];
    if (!versions.includes(ty.version)) versions.push(ty.version);
    groups.set(ty.group, versions);
  }
  return [...groups].map(([group, versions]) => ({ group, versions }));
}

const subresourceVerbs = ['get', 'patch', 'update'];
const scaleKind = { group: 'autoscaling', version: 'v1', kind: 'Scale' };

/** `/api`: the core group's versions. */
export function coreVersions(serverAddress: string): unknown {
  return {
    kind: 'APIVersions',
    versions: ['v1'],
    serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }],
  };
}

function apiGroup(g: GroupVersions): unknown {
  const versions = g.versions.map((version) => ({ groupVersion: `${g.group}/${version}`, version }));
  return { name: g.group, versions, preferredVersion: versions[0] };
}

/** `/apis`: the named groups (the core group is served at /api). */
export function groupList(types: readonly ResourceType[]): unknown {
  return { kind: 'APIGroupList', apiVersion: 'v1', groups: groupVersions(types).filter((g) => g.group !== '').map(apiGroup) };
}

/** `/apis/<group>`, or undefined for a group this server does not serve. */
export function group(types: readonly ResourceType[], name: string): unknown {
  const g = groupVersions(types).find((x) => x.group === name && name !== '');
  return g === undefined ? undefined : { kind: 'APIGroup', apiVersion: 'v1', ...(apiGroup(g) as object) };
}

const typesOf = (types: readonly ResourceType[], group: string, version: string): ResourceType[] =>
  types.filter((ty) => ty.group === group && ty.version === version);

/** `/api/v1` or `/apis/<g>/<v>`: an APIResourceList, or undefined for an unknown group version. */
export function resourceList(types: readonly ResourceType[], group: string, version: string): unknown {
  const served = typesOf(types, group, version);
  if (served.length === 0) return undefined;
  const resources = served.flatMap((ty) => {
    const sub = (name: string, verbs: readonly string[], kind: object = { kind: ty.kind }): object =>
      ({ name: `${ty.plural}/${name}`, singularName: '', namespaced: ty.namespaced, ...kind, verbs });
    return [
      {
        name: ty.plural, singularName: ty.singular, namespaced: ty.namespaced, kind: ty.kind, verbs: ty.verbs,
        ...(ty.shortNames.length > 0 ? { shortNames: ty.shortNames } : {}),
        ...(ty.categories.length > 0 ? { categories: ty.categories } : {}),
      },
      ...(ty.finalize ? [sub('finalize', ['update'])] : []),
      ...(ty.scale !== undefined ? [sub('scale', subresourceVerbs, scaleKind)] : []),
      ...(ty.status ? [sub('status', subresourceVerbs)] : []),
    ];
  });
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: apiVersionOf({ group, version }), resources };
}

export type DiscoveryFormat = 'v2' | 'v2beta1' | 'legacy';

/**
 * Aggregated discovery is served only when asked for, and in the newest version the client offers:
 * kubectl 1.27/1.28 understand only v2beta1, and an aggregated body in a legacy answer reads as "no resources".
 */
export function negotiateDiscovery(accept: string | undefined): DiscoveryFormat {
  const offers = (accept ?? '').split(',').map((m) => m.replace(/\s+/g, ''));
  const offered = (v: string): boolean =>
    offers.some((m) => m.includes('g=apidiscovery.k8s.io') && m.split(';').includes(`v=${v}`) && m.includes('as=APIGroupDiscoveryList'));
  return offered('v2') ? 'v2' : offered('v2beta1') ? 'v2beta1' : 'legacy';
}

/** The Content-Type an aggregated answer must carry, exactly. */
export function discoveryContentType(format: Exclude<DiscoveryFormat, 'legacy'>): string {
  return `application/json;g=apidiscovery.k8s.io;v=${format};as=APIGroupDiscoveryList`;
}

function aggregatedResource(ty: ResourceType): unknown {
  const responseKind = { group: ty.group, version: ty.version, kind: ty.kind };
  const subresources = [
    ...(ty.finalize ? [{ subresource: 'finalize', responseKind, verbs: ['update'] }] : []),
    ...(ty.scale !== undefined ? [{ subresource: 'scale', responseKind: scaleKind, verbs: subresourceVerbs }] : []),
    ...(ty.status ? [{ subresource: 'status', responseKind, verbs: subresourceVerbs }] : []),
  ];
  return {
    resource: ty.plural,
    responseKind,
    scope: ty.namespaced ? 'Namespaced' : 'Cluster',
    singularResource: ty.singular,
    verbs: ty.verbs,
    ...(ty.shortNames.length > 0 ? { shortNames: ty.shortNames } : {}),
    ...(ty.categories.length > 0 ? { categories: ty.categories } : {}),
    ...(subresources.length > 0 ? { subresources } : {}),
  };
}

/** Aggregated discovery for `/api` (scope core) or `/apis` (scope groups). */
export function aggregatedDiscovery(types: readonly ResourceType[], scope: 'core' | 'groups', format: Exclude<DiscoveryFormat, 'legacy'>): unknown {
  const items = groupVersions(types)
    .filter((g) => (scope === 'core') === (g.group === ''))
    .map((g) => ({
      metadata: { name: g.group },
      versions: g.versions.map((version) => ({
        version,
        resources: typesOf(types, g.group, version).map(aggregatedResource),
        freshness: 'Current',
      })),
    }));
  return { kind: 'APIGroupDiscoveryList', apiVersion: `apidiscovery.k8s.io/${format}`, metadata: {}, items };
}
