/**
 * A real Kubernetes control plane for tests: etcd and kube-apiserver, started the way
 * test control planes start them (generated serving certificate, service-account keys
 * made here, token authentication for one admin user, RBAC). No controller-manager runs:
 * tests create EndpointSlices themselves and namespaces never finish terminating.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { binaries } from './paths.ts';
import { freePort } from './ports.ts';
import { startProcess, waitUntil, type Started } from './process.ts';

export interface ControlPlane {
  readonly etcd: Started;
  readonly apiserver: Started;
  readonly server: string;
  readonly token: string;
  readonly caData: string;
  readonly kubeconfigFile: string;
}

export async function startControlPlane(
  dir: string,
  options: { readonly detached: boolean },
): Promise<ControlPlane> {
  mkdirSync(dir, { recursive: true });
  const etcd = await startEtcd(dir, options.detached);
  const etcdUrl = `http://127.0.0.1:${etcd.port}`;

  const certDir = join(dir, 'certs');
  mkdirSync(certDir, { recursive: true });
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const saPub = join(certDir, 'sa.pub');
  const saKey = join(certDir, 'sa.key');
  writeFileSync(saPub, publicKey.export({ type: 'spki', format: 'pem' }));
  writeFileSync(saKey, privateKey.export({ type: 'pkcs8', format: 'pem' }));
  const token = randomBytes(24).toString('hex');
  const tokenFile = join(certDir, 'tokens.csv');
  writeFileSync(tokenFile, `${token},admin,admin-uid,system:masters\n`);

  const port = await freePort();
  const server = `https://127.0.0.1:${port}`;
  const apiserver = startProcess(
    'kube-apiserver',
    binaries.kubeApiserver,
    [
      `--etcd-servers=${etcdUrl}`,
      `--cert-dir=${certDir}`,
      `--secure-port=${port}`,
      '--bind-address=127.0.0.1',
      '--service-cluster-ip-range=10.96.0.0/16',
      '--allow-privileged=true',
      '--disable-admission-plugins=ServiceAccount',
      '--authorization-mode=RBAC',
      `--service-account-issuer=${server}/`,
      `--service-account-key-file=${saPub}`,
      `--service-account-signing-key-file=${saKey}`,
      `--token-auth-file=${tokenFile}`,
      '--endpoint-reconciler-type=none',
      '--enable-priority-and-fairness=false',
      '--profiling=false',
      '--v=1',
    ],
    join(dir, 'kube-apiserver.log'),
    { detached: options.detached },
  );
  await waitUntil(
    apiserver,
    () => httpsStatus(`${server}/readyz`, token).then((s) => s === 200),
    90_000,
  );

  // The serving certificate kube-apiserver generated is self-signed: trust exactly it.
  const caData = Buffer.from(readFileSync(join(certDir, 'apiserver.crt'))).toString('base64');
  const kubeconfigFile = join(dir, 'kubeconfig');
  writeFileSync(kubeconfigFile, kubeconfig(server, caData, token), { mode: 0o600 });
  return { etcd: etcd.started, apiserver, server, token, caData, kubeconfigFile };
}

async function startEtcd(
  dir: string,
  detached: boolean,
): Promise<{ started: Started; port: number }> {
  const port = await freePort();
  const peerPort = await freePort();
  const started = startProcess(
    'etcd',
    binaries.etcd,
    [
      `--data-dir=${join(dir, 'etcd-data')}`,
      `--listen-client-urls=http://127.0.0.1:${port}`,
      `--advertise-client-urls=http://127.0.0.1:${port}`,
      `--listen-peer-urls=http://127.0.0.1:${peerPort}`,
      `--initial-advertise-peer-urls=http://127.0.0.1:${peerPort}`,
      `--initial-cluster=default=http://127.0.0.1:${peerPort}`,
      '--unsafe-no-fsync',
      '--log-level=warn',
    ],
    join(dir, 'etcd.log'),
    { detached },
  );
  await waitUntil(
    started,
    () => httpStatus(`http://127.0.0.1:${port}/health`).then((s) => s === 200),
    30_000,
  );
  return { started, port };
}

function kubeconfig(server: string, caData: string, token: string): string {
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    '- name: albatross-testenv',
    '  cluster:',
    `    server: ${server}`,
    `    certificate-authority-data: ${caData}`,
    'users:',
    '- name: admin',
    '  user:',
    `    token: ${token}`,
    'contexts:',
    '- name: albatross-testenv',
    '  context:',
    '    cluster: albatross-testenv',
    '    user: admin',
    'current-context: albatross-testenv',
    '',
  ].join('\n');
}

function httpsStatus(url: string, token: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { headers: { authorization: `Bearer ${token}` }, rejectUnauthorized: false, timeout: 2000 },
      (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      },
    );
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.end();
  });
}

function httpStatus(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { timeout: 2000 }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.end();
  });
}
