// Self-signed CA and serving certificates (ECDSA P-256) built with node:crypto, for https with kubectl's CA check.
import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import { isIP } from 'node:net';
import * as der from './der.js';

export interface PemKeyPair {
  readonly cert: string;
  readonly key: string;
}

export interface CertificateAuthority extends PemKeyPair {
  issue(o: ServingCertificateOptions): PemKeyPair;
}

export interface ServingCertificateOptions {
  /** DNS names and IP addresses the certificate is valid for (its subjectAltName). */
  readonly hosts: readonly string[];
  readonly commonName?: string;
  readonly now: Date;
  readonly validDays?: number;
}

const oids = {
  ecPublicKey: '1.2.840.10045.2.1',
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
  commonName: '2.5.4.3',
  organization: '2.5.4.10',
  basicConstraints: '2.5.29.19',
  keyUsage: '2.5.29.15',
  extKeyUsage: '2.5.29.37',
  subjectAltName: '2.5.29.17',
  subjectKeyIdentifier: '2.5.29.14',
  authorityKeyIdentifier: '2.5.29.35',
  serverAuth: '1.3.6.1.5.5.7.3.1',
  clientAuth: '1.3.6.1.5.5.7.3.2',
};

const signatureAlgorithm = der.sequence(der.oid(oids.ecdsaWithSha256));

const name = (cn: string): Buffer =>
  der.sequence(
    der.set(der.sequence(der.oid(oids.organization), der.utf8String('kfed'))),
    der.set(der.sequence(der.oid(oids.commonName), der.utf8String(cn))),
  );

const extension = (id: string, critical: boolean, value: Buffer): Buffer =>
  der.sequence(der.oid(id), ...(critical ? [der.boolean(true)] : []), der.octetString(value));

/** KeyUsage bits as a DER BIT STRING value: digitalSignature is bit 0, keyCertSign bit 5, cRLSign bit 6. */
function keyUsage(bits: readonly number[]): Buffer {
  const byte = bits.reduce((acc, b) => acc | (0x80 >> b), 0);
  const unused = Math.min(7, ...[0, 1, 2, 3, 4, 5, 6, 7].filter((i) => (byte & (1 << i)) !== 0));
  return der.tlv(0x03, Buffer.from([unused, byte]));
}

/** SHA-1 of the subjectPublicKey bits (RFC 5280 method 1). */
function keyId(spki: Buffer): Buffer {
  // The BIT STRING is the last element of the SubjectPublicKeyInfo; for P-256 it is the final 65 bytes.
  return createHash('sha1').update(spki.subarray(spki.length - 65)).digest();
}

function subjectAltName(hosts: readonly string[]): Buffer {
  return der.sequence(...hosts.map((h) => {
    switch (isIP(h)) {
      case 4: return der.implicit(7, Buffer.from(h.split('.').map(Number)));
      case 6: return der.implicit(7, ipv6Bytes(h));
      default: return der.implicit(2, Buffer.from(h, 'ascii'));
    }
  }));
}

function ipv6Bytes(ip: string): Buffer {
  const [head = '', tail = ''] = ip.split('::');
  const parts = (s: string): number[] => (s === '' ? [] : s.split(':').map((x) => parseInt(x, 16)));
  const h = parts(head);
  const t = parts(tail);
  const words = ip.includes('::') ? [...h, ...Array<number>(8 - h.length - t.length).fill(0), ...t] : h;
  return Buffer.from(words.flatMap((w) => [w >> 8, w & 0xff]));
}

interface CertificateSpec {
  readonly subject: string;
  readonly issuer: string;
  readonly publicKey: KeyObject;
  readonly signingKey: KeyObject;
  readonly issuerKeyId: Buffer;
  readonly extensions: readonly Buffer[];
  readonly now: Date;
  readonly validDays: number;
}

function certificate(c: CertificateSpec): string {
  const spki = c.publicKey.export({ type: 'spki', format: 'der' });
  const serial = randomBytes(16);
  serial[0] = (serial[0] ?? 0) & 0x7f;
  const notBefore = new Date(c.now.getTime() - 60 * 60 * 1000); // tolerate clock skew
  const notAfter = new Date(c.now.getTime() + c.validDays * 24 * 60 * 60 * 1000);
  const tbs = der.sequence(
    der.explicit(0, der.smallInteger(2)), // v3
    der.unsignedInteger(serial),
    signatureAlgorithm,
    name(c.issuer),
    der.sequence(der.time(notBefore), der.time(notAfter)),
    name(c.subject),
    spki,
    der.explicit(3, der.sequence(
      extension(oids.subjectKeyIdentifier, false, der.octetString(keyId(spki))),
      extension(oids.authorityKeyIdentifier, false, der.sequence(der.implicit(0, c.issuerKeyId))),
      ...c.extensions,
    )),
  );
  const signature = sign('sha256', tbs, c.signingKey);
  const body = der.sequence(tbs, signatureAlgorithm, der.bitString(signature)).toString('base64');
  return `-----BEGIN CERTIFICATE-----\n${body.match(/.{1,64}/g)?.join('\n') ?? ''}\n-----END CERTIFICATE-----\n`;
}

const newKey = (): { publicKey: KeyObject; privateKey: KeyObject } => generateKeyPairSync('ec', { namedCurve: 'P-256' });
const pemKey = (k: KeyObject): string => k.export({ type: 'pkcs8', format: 'pem' }).toString();

/** A new CA that can issue serving certificates. */
export function createCertificateAuthority(o: { readonly commonName?: string; readonly now: Date; readonly validDays?: number }): CertificateAuthority {
  const { publicKey, privateKey } = newKey();
  const subject = o.commonName ?? 'kfed-ca';
  const caKeyId = keyId(publicKey.export({ type: 'spki', format: 'der' }));
  const cert = certificate({
    subject, issuer: subject, publicKey, signingKey: privateKey, issuerKeyId: caKeyId, now: o.now, validDays: o.validDays ?? 3650,
    extensions: [
      extension(oids.basicConstraints, true, der.sequence(der.boolean(true))),
      extension(oids.keyUsage, true, keyUsage([0, 5, 6])),
    ],
  });
  return {
    cert,
    key: pemKey(privateKey),
    issue: (s) => {
      const leaf = newKey();
      return {
        cert: certificate({
          subject: s.commonName ?? s.hosts[0] ?? 'kfed', issuer: subject, publicKey: leaf.publicKey, signingKey: privateKey,
          issuerKeyId: caKeyId, now: s.now, validDays: s.validDays ?? 365,
          extensions: [
            extension(oids.basicConstraints, true, der.sequence()),
            extension(oids.keyUsage, true, keyUsage([0])),
            extension(oids.extKeyUsage, false, der.sequence(der.oid(oids.serverAuth), der.oid(oids.clientAuth))),
            extension(oids.subjectAltName, false, subjectAltName(s.hosts)),
          ],
        }),
        key: pemKey(leaf.privateKey),
      };
    },
  };
}
