import t from 'tap';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { createCertificateAuthority } from '../../../libs/infra/tls/certificates.js';

t.test('a CA issues serving certificates valid for the given hosts', async (t) => {
  const now = new Date();
  const ca = createCertificateAuthority({ now });
  const serving = ca.issue({ hosts: ['127.0.0.1', 'localhost', '::1'], now });
  const caCert = new X509Certificate(ca.cert);
  const cert = new X509Certificate(serving.cert);
  t.ok(caCert.ca, 'the CA is a CA');
  t.notOk(cert.ca);
  t.ok(cert.checkIssued(caCert));
  t.ok(cert.verify(caCert.publicKey), 'signed by the CA');
  t.ok(caCert.verify(caCert.publicKey), 'the CA is self-signed');
  t.equal(cert.checkIP('127.0.0.1'), '127.0.0.1');
  t.equal(cert.checkHost('localhost'), 'localhost');
  t.equal(cert.checkIP('10.0.0.1'), undefined);
  t.equal(cert.subjectAltName, 'IP Address:127.0.0.1, DNS:localhost, IP Address:0:0:0:0:0:0:0:1');
  t.ok(Date.parse(cert.validFrom) <= now.getTime() && Date.parse(cert.validTo) > now.getTime());
  t.ok(cert.checkPrivateKey(createPrivateKey(serving.key)), 'the key belongs to the certificate');
});
