import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Debian's redis-server, when installed. */
export const REDIS_SERVER: string | null = (() => {
  const r = spawnSync('which', ['redis-server'], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : null;
})();

/**
 * `it` when redis-server is installed or under CI (where a missing one then fails the test, as
 * .ci/run installs it), else `it.skip` with a warning.
 */
export const withRedis: jest.It = REDIS_SERVER || process.env['CI'] ? it : it.skip;
if (!REDIS_SERVER)
  console.warn('redis-server not found (apt install redis-server): the Redis tests are skipped');

/** A port nobody listens on now. */
async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

/** Resolves once the port accepts connections. */
async function answering(port: number, ms = 10_000): Promise<void> {
  const t0 = Date.now();
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect(port, '127.0.0.1', () => {
        s.destroy();
        resolve(true);
      });
      s.on('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() - t0 > ms) throw new Error(`redis-server did not start on port ${port}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * A real redis-server on a free localhost port, in a temporary directory, without persistence;
 * with `tls`, it speaks only TLS, with a certificate for 127.0.0.1 signed by a CA of its own
 * (`caFile`: give it to clients, e.g. in NODE_EXTRA_CA_CERTS).
 */
export class TestRedis {
  private proc: ChildProcess | null = null;
  private readonly dir = mkdtempSync(join(tmpdir(), 'gfn-redis-'));

  private constructor(
    readonly port: number,
    private readonly password?: string,
    private readonly tls = false,
  ) {
    if (tls) this.makeCertificates();
  }

  static async start(options: { password?: string; tls?: boolean } = {}): Promise<TestRedis> {
    if (!REDIS_SERVER) throw new Error('redis-server is not installed (apt install redis-server)');
    const r = new TestRedis(await freePort(), options.password, options.tls);
    await r.launch();
    return r;
  }

  /** The URL clients use (with the password when there is one). */
  get url(): string {
    const auth = this.password ? `:${this.password}@` : '';
    return `${this.tls ? 'rediss' : 'redis'}://${auth}127.0.0.1:${this.port}`;
  }

  /** The CA certificate that signed the server's (with `tls`). */
  get caFile(): string {
    return join(this.dir, 'ca.crt');
  }

  private makeCertificates(): void {
    const openssl = (...args: string[]) => {
      const r = spawnSync('openssl', args, { cwd: this.dir, encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`openssl ${args[0]}: ${r.stderr || r.error?.message}`);
    };
    openssl(
      ...[
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=gfn test CA',
      ],
      ...['-keyout', 'ca.key', '-out', 'ca.crt'],
    );
    openssl(
      ...['req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=127.0.0.1'],
      ...['-keyout', 'server.key', '-out', 'server.csr'],
    );
    writeFileSync(join(this.dir, 'san.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
    openssl(
      ...['x509', '-req', '-in', 'server.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key'],
      ...['-CAcreateserial', '-days', '1', '-extfile', 'san.ext', '-out', 'server.crt'],
    );
  }

  private async launch(): Promise<void> {
    const args = ['--bind', '127.0.0.1', '--dir', this.dir];
    if (this.tls) {
      args.push('--port', '0', '--tls-port', String(this.port));
      args.push('--tls-cert-file', join(this.dir, 'server.crt'));
      args.push('--tls-key-file', join(this.dir, 'server.key'));
      args.push('--tls-ca-cert-file', join(this.dir, 'ca.crt'), '--tls-auth-clients', 'no');
    } else args.push('--port', String(this.port));
    args.push('--save', '', '--appendonly', 'no');
    if (this.password) args.push('--requirepass', this.password);
    this.proc = spawn(REDIS_SERVER!, args, { stdio: 'ignore' });
    await answering(this.port);
  }

  /** Stops the server (its data is lost) and resolves once it has exited. */
  async stop(): Promise<void> {
    const p = this.proc;
    this.proc = null;
    if (!p || p.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      p.on('exit', () => resolve());
      p.kill('SIGKILL');
    });
  }

  /** Stops the server, waits `downMs`, and starts it again on the same port (empty). */
  async restart(downMs: number): Promise<void> {
    await this.stop();
    await new Promise((r) => setTimeout(r, downMs));
    await this.launch();
  }

  async dispose(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
