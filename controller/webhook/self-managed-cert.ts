/**
 * The webhook's own CA and serving certificate (ECDSA P-256), made with @peculiar/x509
 * over node's WebCrypto. `reflect-metadata` must be loaded before @peculiar/x509.
 */
import 'reflect-metadata';
import { isIP } from 'node:net';
import { randomBytes, webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import type { CertFacts } from './cert-rotation.ts';
import { CA_VALIDITY_MS, SERVING_VALIDITY_MS } from './cert-rotation.ts';

type CryptoKey = webcrypto.CryptoKey;
type CryptoKeyPair = webcrypto.CryptoKeyPair;

// The library's type is the DOM's Crypto, which node's webcrypto implements.
x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

const ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;

/** PEM texts, as the Secret holds them. */
export interface CertPair {
  readonly cert: string;
  readonly key: string;
}

export interface WebhookCerts {
  readonly ca: CertPair;
  readonly serving: CertPair;
}

function serialNumber(): string {
  // Positive: the first bit clear.
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0] ?? 0) & 0x7f;
  return bytes.toString('hex');
}

async function keyPair(): Promise<CryptoKeyPair> {
  return webcrypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify']);
}

async function privateKeyPem(key: CryptoKey): Promise<string> {
  const der = await webcrypto.subtle.exportKey('pkcs8', key);
  return x509.PemConverter.encode(der, 'PRIVATE KEY');
}

async function importPrivateKey(pem: string): Promise<CryptoKey> {
  const der = x509.PemConverter.decodeFirst(pem);
  return webcrypto.subtle.importKey('pkcs8', der, ALGORITHM, false, ['sign']);
}

export async function createCa(now: number, commonName: string): Promise<CertPair> {
  const keys = await keyPair();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serialNumber(),
    name: `CN=${commonName}`,
    notBefore: new Date(now - 60_000),
    notAfter: new Date(now + CA_VALIDITY_MS),
    signingAlgorithm: ALGORITHM,
    keys,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(
        x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign,
        true,
      ),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { cert: cert.toString('pem'), key: await privateKeyPem(keys.privateKey) };
}

/** A serving certificate for `sans` (DNS names and IP addresses), signed by `ca`. */
export async function createServingCert(
  ca: CertPair,
  sans: readonly string[],
  now: number,
): Promise<CertPair> {
  const caCert = new x509.X509Certificate(ca.cert);
  const keys = await keyPair();
  const names = sans.map((value) => ({ type: isIP(value) === 0 ? 'dns' : 'ip', value }) as const);
  const notAfter = Math.min(now + SERVING_VALIDITY_MS, caCert.notAfter.getTime());
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serialNumber(),
    subject: `CN=${sans[0] ?? 'albatross-webhook'}`,
    issuer: caCert.subject,
    notBefore: new Date(now - 60_000),
    notAfter: new Date(notAfter),
    signingAlgorithm: ALGORITHM,
    publicKey: keys.publicKey,
    signingKey: await importPrivateKey(ca.key),
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension(names),
      await x509.AuthorityKeyIdentifierExtension.create(caCert),
    ],
  });
  return { cert: cert.toString('pem'), key: await privateKeyPem(keys.privateKey) };
}

/** Validity and names of the first certificate in a PEM text; `undefined` when unreadable. */
export function certFacts(pem: string): CertFacts | undefined {
  try {
    const cert = new x509.X509Certificate(pem);
    const san = cert.getExtension(x509.SubjectAlternativeNameExtension);
    const sans = (san?.names.toJSON() ?? []).map((n) => n.value);
    return { notBefore: cert.notBefore.getTime(), notAfter: cert.notAfter.getTime(), sans };
  } catch {
    return undefined;
  }
}

/** True when `serving` was signed by `ca` (a Secret half rewritten by hand is not trusted). */
export async function signedBy(serving: string, ca: string): Promise<boolean> {
  try {
    const caCert = new x509.X509Certificate(ca);
    return await new x509.X509Certificate(serving).verify({
      publicKey: caCert.publicKey,
      signatureOnly: true,
    });
  } catch {
    return false;
  }
}
