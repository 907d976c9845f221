// Checks examples/k8s/ against the Kubernetes API types. `kubectl --dry-run=client` needs an API
// server for its schema, so the check walks the types generated from Kubernetes' OpenAPI spec that
// @kubernetes/client-node ships: every field must exist on its type, with the right shape.
import fs from 'node:fs';
import path from 'node:path';
import * as k8s from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';

type AttributeMap = { name: string; baseName: string; type: string }[];
const models = k8s as unknown as Record<string, { getAttributeTypeMap?: () => AttributeMap }>;
const PRIMITIVES: Record<string, (v: unknown) => boolean> = {
  string: (v) => typeof v === 'string',
  number: (v) => typeof v === 'number',
  boolean: (v) => typeof v === 'boolean',
  Date: (v) => typeof v === 'string' || v instanceof Date,
  IntOrString: (v) => typeof v === 'string' || typeof v === 'number',
  any: () => true,
  object: () => true,
};

/** Returns the problems of `value` as an instance of `type` (a client-node type expression). */
function schemaErrors(value: unknown, type: string, at: string): string[] {
  if (type.startsWith('Array<')) {
    if (!Array.isArray(value)) return [`${at}: expected a list`];
    return value.flatMap((v, i) => schemaErrors(v, type.slice(6, -1), `${at}[${i}]`));
  }
  const map = /^\{ \[key: string\]: (.+); \}$/.exec(type);
  if (map) {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return [`${at}: expected a map`];
    return Object.entries(value).flatMap(([k, v]) => schemaErrors(v, map[1]!, `${at}.${k}`));
  }
  if (PRIMITIVES[type])
    return PRIMITIVES[type]!(value) ? [] : [`${at}: expected ${type}, got ${JSON.stringify(value)}`];
  const model = models[type];
  if (!model?.getAttributeTypeMap) return [`${at}: unknown type ${type}`];
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return [`${at}: expected a ${type} object`];
  const attrs = new Map(model.getAttributeTypeMap().map((a) => [a.baseName, a.type]));
  return Object.entries(value).flatMap(([k, v]) =>
    attrs.has(k) ? schemaErrors(v, attrs.get(k)!, `${at}.${k}`) : [`${at}.${k}: no such field on ${type}`],
  );
}

const dir = path.resolve('examples/k8s');
const docs = fs
  .readdirSync(dir)
  .filter((f) => f.endsWith('.yaml'))
  .flatMap((f) =>
    parseAllDocuments(fs.readFileSync(path.join(dir, f), 'utf8')).map((d, i) => ({
      file: `${f}#${i}`,
      doc: d.toJS() as { apiVersion: string; kind: string; spec: { template?: { spec: PodSpec } } & PodSpec },
    })),
  );
type PodSpec = {
  initContainers?: Container[];
  containers: Container[];
  securityContext?: { fsGroup?: number; runAsNonRoot?: boolean };
};
type Container = {
  name: string;
  image: string;
  restartPolicy?: string;
  args?: string[];
  startupProbe?: { httpGet?: { path: string } };
  securityContext?: { readOnlyRootFilesystem?: boolean; capabilities?: { drop?: string[] } };
  volumeMounts?: { name: string; mountPath: string; readOnly?: boolean }[];
};
const podSpec = (d: (typeof docs)[number]['doc']): PodSpec => d.spec.template?.spec ?? d.spec;

describe('the Kubernetes examples are valid against the API types', () => {
  it('has both examples', () => {
    expect(docs.map((d) => d.file).sort()).toEqual(['init-container.yaml#0', 'native-sidecar.yaml#0']);
  });

  it.each(docs)('$file matches the Kubernetes API schema', ({ doc }) => {
    const version = doc.apiVersion.includes('/') ? doc.apiVersion.split('/')[1]! : doc.apiVersion;
    const type = `${version[0]!.toUpperCase()}${version.slice(1)}${doc.kind}`;
    expect(schemaErrors(doc, type, doc.kind)).toEqual([]);
  });

  it('catches a misspelt field, so the check above can fail', () => {
    const bad = structuredClone(docs.find((d) => d.doc.kind === 'Pod')!.doc) as unknown as {
      spec: { initContainers: Record<string, unknown>[] };
    };
    bad.spec.initContainers[0]!.restartPolicyy = 'Always';
    bad.spec.initContainers[0]!.args = 'watch';
    expect(schemaErrors(bad, 'V1Pod', 'Pod')).toEqual([
      'Pod.spec.initContainers[0].args: expected a list',
      'Pod.spec.initContainers[0].restartPolicyy: no such field on V1Container',
    ]);
  });

  it.each(docs)(
    '$file runs the sidecar as 1654 with fsGroup 1654, a read-only root file system and no capabilities',
    ({ doc }) => {
      const spec = podSpec(doc);
      expect(spec.securityContext).toMatchObject({ fsGroup: 1654, runAsNonRoot: true });
      for (const c of [...(spec.initContainers ?? []), ...spec.containers]) {
        expect(c.securityContext?.readOnlyRootFilesystem).toBe(true);
        expect(c.securityContext?.capabilities?.drop).toEqual(['ALL']);
      }
      const app = spec.containers[0]!;
      expect(app.volumeMounts?.find((m) => m.mountPath === '/https')?.readOnly).toBe(true);
    },
  );

  it('runs watch as a native sidecar with a startupProbe on /readyz', () => {
    const spec = podSpec(docs.find((d) => d.file.startsWith('native-sidecar'))!.doc);
    const sidecar = spec.initContainers![0]!;
    expect(sidecar).toMatchObject({
      restartPolicy: 'Always',
      args: ['watch'],
      startupProbe: { httpGet: { path: '/readyz' } },
    });
  });

  it('runs init as an ordinary init container', () => {
    const spec = podSpec(docs.find((d) => d.file.startsWith('init-container'))!.doc);
    expect(spec.initContainers![0]!.restartPolicy).toBeUndefined();
    expect(spec.initContainers![0]!.args).toEqual(['init']);
  });
});
