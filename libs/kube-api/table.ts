// Table responses (`kubectl get` output): Accept negotiation and rows built from a type's printer.
import type { KubeObject, ListMeta, Table, TableRow } from './object.js';
import type { ResourceType } from './resources.js';

export type TableVersion = 'v1' | 'v1beta1';
export type IncludeObject = 'None' | 'Metadata' | 'Object';

interface MediaType {
  readonly type: string;
  readonly params: ReadonlyMap<string, string>;
}

export function parseAccept(accept: string | undefined): MediaType[] {
  return (accept ?? '').split(',').map((m) => {
    const [type = '', ...params] = m.split(';').map((p) => p.trim());
    return {
      type: type.toLowerCase(),
      params: new Map(params.map((p) => { const i = p.indexOf('='); return [p.slice(0, i).trim(), p.slice(i + 1).trim()] as const; })),
    };
  }).filter((m) => m.type !== '');
}

/** The Table version the client asked for first, or undefined when it wants plain objects. */
export function negotiateTable(accept: string | undefined): TableVersion | undefined {
  for (const m of parseAccept(accept)) {
    if (m.params.get('as') !== 'Table' || m.params.get('g') !== 'meta.k8s.io') continue;
    const v = m.params.get('v');
    if (v === 'v1' || v === 'v1beta1') return v;
  }
  return undefined;
}

export function parseIncludeObject(v: string | null): IncludeObject {
  return v === 'None' || v === 'Object' ? v : 'Metadata';
}

/** What a row carries as `object` by default: the metadata, with kind and apiVersion (kubectl needs both). */
export function partialObjectMetadata(obj: KubeObject, version: TableVersion): KubeObject {
  const { managedFields: _managedFields, ...metadata } = obj.metadata;
  return { kind: 'PartialObjectMetadata', apiVersion: `meta.k8s.io/${version}`, metadata };
}

export interface TableOptions {
  readonly version: TableVersion;
  readonly now: Date;
  readonly listMeta: ListMeta;
  readonly includeObject: IncludeObject;
  /** Watch events after the first carry no column definitions, as kube-apiserver does. */
  readonly withColumns: boolean;
}

/** A Table of `objects` (already in the served version) with the type's columns. */
export function toTable(type: ResourceType, objects: readonly KubeObject[], o: TableOptions): Table {
  const row = (obj: KubeObject): TableRow => ({
    cells: type.table.cells(obj, o.now),
    ...(o.includeObject === 'None' ? {} : { object: o.includeObject === 'Object' ? obj : partialObjectMetadata(obj, o.version) }),
  });
  return {
    kind: 'Table',
    apiVersion: `meta.k8s.io/${o.version}`,
    metadata: o.listMeta,
    columnDefinitions: o.withColumns
      ? type.table.columns.map((c) => ({ name: c.name, type: c.type, format: c.format ?? '', description: '', priority: c.priority ?? 0 }))
      : [],
    rows: objects.map(row),
  };
}
