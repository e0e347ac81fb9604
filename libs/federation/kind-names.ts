// kubectl-style resource names (rs, replicaset, replicasets, replicaset.apps, deploy, cluster ...) resolved against what the federation serves.
import type { ResourceType } from '../kube-api/resources.js';
import { federationTypes } from './types.js';

/**
 * The served type a name means, as kubectl resolves it: plural, singular, kind or short name,
 * optionally qualified by group ("replicasets.apps", "replicaset.extensions"), case-insensitive.
 * Types are tried in discovery order, so an unqualified name picks apps before extensions.
 */
export function resolveFederationType(name: string): ResourceType | undefined {
  const wanted = name.toLowerCase();
  const dot = wanted.indexOf('.');
  const resource = dot < 0 ? wanted : wanted.slice(0, dot);
  const group = dot < 0 ? undefined : wanted.slice(dot + 1);
  return federationTypes.find((type) => (group === undefined || type.group === group)
    && [type.plural, type.singular, type.kind.toLowerCase(), ...type.shortNames].includes(resource));
}
