// The types `cdk8s import` generated from crds/cert-manager-certificate.yaml
// (cert-manager.io.ts, committed unchanged): a Certificate made with them synthesizes to the
// object cert-manager expects, enum members as the CRD's strings, and the enums hold exactly
// the values the CRD allows. The generated file declares TypeScript enums, which Node's type
// stripping refuses, so a module hook compiles that one file with esbuild — the compiler
// Keelson's synthesis bundles deploy repositories with — and plain `node --test` runs this.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { registerHooks } from 'node:module';
import { Testing } from 'cdk8s';
import { transformSync } from 'esbuild';
import { parse } from 'yaml';

const GENERATED = new URL('./cert-manager.io.ts', import.meta.url).href;
registerHooks({
  load(url, context, nextLoad) {
    if (url !== GENERATED) return nextLoad(url, context);
    const source = readFileSync(new URL(url), 'utf8');
    const { code } = transformSync(source, { loader: 'ts', format: 'esm', sourcefile: url });
    return { format: 'module', source: code, shortCircuit: true };
  },
});
const {
  Certificate,
  CertificateSpecPrivateKeyAlgorithm,
  CertificateSpecPrivateKeyRotationPolicy,
  CertificateSpecUsages,
} = await import('./cert-manager.io.ts');

interface SchemaNode {
  readonly enum?: readonly string[];
  readonly items?: SchemaNode;
  readonly properties?: Readonly<Record<string, SchemaNode>>;
}
const crd = parse(readFileSync(new URL('../crds/cert-manager-certificate.yaml', import.meta.url), 'utf8')) as {
  spec: { versions: { name: string; schema: { openAPIV3Schema: SchemaNode } }[] };
};
const spec = crd.spec.versions.find((v) => v.name === 'v1')!.schema.openAPIV3Schema.properties!.spec!.properties!;

describe('imported cert-manager Certificate', () => {
  it('synthesizes with its group, version, spec and enum members as the CRD strings', () => {
    const chart = Testing.chart();
    new Certificate(chart, 'web-tls', {
      metadata: { name: 'web-tls' },
      spec: {
        secretName: 'web-tls',
        commonName: 'shop.example.com',
        dnsNames: ['shop.example.com', 'www.shop.example.com'],
        duration: '2160h',
        renewBefore: '360h',
        issuerRef: { name: 'letsencrypt', kind: 'ClusterIssuer', group: 'cert-manager.io' },
        privateKey: {
          algorithm: CertificateSpecPrivateKeyAlgorithm.ECDSA,
          size: 256,
          rotationPolicy: CertificateSpecPrivateKeyRotationPolicy.ALWAYS,
        },
        usages: [CertificateSpecUsages.SERVER_AUTH, CertificateSpecUsages.DIGITAL_SIGNATURE],
      },
    });
    assert.deepEqual(chart.toJson(), [
      {
        apiVersion: 'cert-manager.io/v1',
        kind: 'Certificate',
        metadata: { name: 'web-tls' },
        spec: {
          secretName: 'web-tls',
          commonName: 'shop.example.com',
          dnsNames: ['shop.example.com', 'www.shop.example.com'],
          duration: '2160h',
          renewBefore: '360h',
          issuerRef: { name: 'letsencrypt', kind: 'ClusterIssuer', group: 'cert-manager.io' },
          privateKey: { algorithm: 'ECDSA', size: 256, rotationPolicy: 'Always' },
          usages: ['server auth', 'digital signature'],
        },
      },
    ]);
  });

  it('renders only the fields that are set', () => {
    const chart = Testing.chart();
    new Certificate(chart, 'api-tls', {
      metadata: { name: 'api-tls' },
      spec: { secretName: 'api-tls', issuerRef: { name: 'internal-ca' } },
    });
    const [object] = chart.toJson() as { spec: object }[];
    assert.deepEqual(object!.spec, { secretName: 'api-tls', issuerRef: { name: 'internal-ca' } });
  });

  const enums: { name: string; values: object; allowed: readonly string[] | undefined }[] = [
    {
      name: 'privateKey.algorithm',
      values: CertificateSpecPrivateKeyAlgorithm,
      allowed: spec.privateKey!.properties!.algorithm!.enum,
    },
    {
      name: 'privateKey.rotationPolicy',
      values: CertificateSpecPrivateKeyRotationPolicy,
      allowed: spec.privateKey!.properties!.rotationPolicy!.enum,
    },
    { name: 'usages', values: CertificateSpecUsages, allowed: spec.usages!.items!.enum },
  ];
  for (const e of enums) {
    it(`the enum of ${e.name} holds exactly the values the CRD allows`, () => {
      assert.ok(e.allowed && e.allowed.length > 0, `the CRD has no enum for ${e.name}`);
      assert.deepEqual(Object.values(e.values), e.allowed);
    });
  }
});
