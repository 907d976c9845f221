// A testcontainers helper for other people's harnesses: runs the sidecar image once against a
// directory and hands back where the published set is and the Kestrel environment that reads it.
//
//   const certs = await new KestrelCertsContainer().withSource('./certs', 'pfx-password').withOutputDir(out).publish();
//   new GenericContainer('my-api').withBindMounts([{ source: certs.outputDir, target: certs.mountPath, mode: 'ro' }])
//     .withEnvironment(certs.kestrelEnvironment)
//
// The container runs as 1654:1654 with a read-only root file system and no capabilities, as in
// production. The output directory must be writable by uid 1654 (or run with .withUser('0:0')).
import fs from 'node:fs';
import path from 'node:path';
import { GenericContainer, Wait, type StartedTestContainer } from 'testcontainers';
import { parseEnvFile } from '../publish/kestrel.js';
import { readPublished } from '../publish/published.js';

declare const __VERSION__: string;
/** The image of this version of the package: kestrel-cert-sidecar:<version>. */
export const DEFAULT_IMAGE = `kestrel-cert-sidecar:${typeof __VERSION__ === 'string' ? __VERSION__ : '0.0.0-dev'}`;

export interface StartedKestrelCerts {
  /** The host directory holding the published set. */
  outputDir: string;
  /** Where containers should mount outputDir: the paths in kestrelEnvironment point there. */
  mountPath: string;
  /** ASPNETCORE_Kestrel__Certificates__Default__* for the app container (kestrel.env). */
  kestrelEnvironment: Record<string, string>;
  /** The published manifest.json: fingerprint, names, validity. */
  manifest: { sha256: string; sans: string[]; notAfter: string; [key: string]: unknown };
  /** The sidecar's output, for diagnostics. */
  logs: string;
}

export class KestrelCertsContainer extends GenericContainer {
  private outputDir?: string;
  private mountPath = '/https';
  private output = '';
  /** testcontainers' withBindMounts replaces the list, so ours is kept here and set once. */
  private binds: { source: string; target: string; mode: 'ro' | 'rw' }[] = [];

  constructor(image = DEFAULT_IMAGE) {
    super(image);
    this.withCommand(['init'])
      .withUser('1654:1654')
      .withDroppedCapabilities('ALL')
      .withWaitStrategy(Wait.forOneShotStartup());
    this.withLogConsumer((stream) => stream.on('data', (d: Buffer | string) => (this.output += d.toString())));
    this.hostConfig.ReadonlyRootfs = true;
  }

  /** The certificate directory (or file) to read, mounted read-only; the password, if any. */
  withSource(dir: string, password?: string): this {
    const abs = path.resolve(dir);
    const isDir = fs.statSync(abs).isDirectory();
    const target = isDir ? '/certs' : `/certs/${path.basename(abs)}`;
    this.binds.push({ source: abs, target, mode: 'ro' });
    this.withEnvironment({ KCS_SOURCE: target, ...(password !== undefined ? { KCS_PASSWORD: password } : {}) });
    return this;
  }

  /** The host directory to publish into, and where app containers will mount it. */
  withOutputDir(dir: string, mountPath = '/https'): this {
    this.outputDir = path.resolve(dir);
    this.mountPath = mountPath;
    fs.mkdirSync(this.outputDir, { recursive: true });
    this.binds.push({ source: this.outputDir, target: '/https', mode: 'rw' });
    this.withEnvironment({ KCS_OUTPUT: '/https', KCS_MOUNT_PATH: mountPath });
    return this;
  }

  withHostnames(...names: string[]): this {
    return this.withEnvironment({ KCS_HOSTNAMES: names.join(',') });
  }

  /**
   * testcontainers' own start, with the source and the output mounted: called directly (as every other container
   * is), it still publishes into the output directory. publish() is start() plus reading the set back.
   */
  override async start(): Promise<StartedTestContainer> {
    this.requireOutputDir();
    this.withBindMounts(this.binds);
    return super.start();
  }

  private requireOutputDir(): string {
    if (!this.outputDir) throw new Error('KestrelCertsContainer: call withOutputDir(dir) first');
    return this.outputDir;
  }

  /** Runs `init` to completion and reads back what it published. */
  async publish(): Promise<StartedKestrelCerts> {
    const outputDir = this.requireOutputDir();
    let started: StartedTestContainer | undefined;
    try {
      started = await this.start();
    } catch (err) {
      // The sidecar's own words say what is wrong (the finding code, the file, the fix).
      await new Promise((r) => setTimeout(r, 200));
      const last = this.output.trim().split('\n').slice(-10).join('\n');
      throw new Error(
        `kestrel-cert-sidecar did not publish: ${(err as Error).message}${last ? `; its last lines:\n${last}` : ''}`,
        { cause: err },
      );
    }
    await started.stop().catch(() => undefined);
    const logs = this.output;
    // Read as the app reads it, through ..data, by the volume's reader.
    const { files } = readPublished(outputDir, ['kestrel.env', 'manifest.json']);
    const read = (name: string) => {
      const data = files.get(name);
      if (!data) throw new Error(`kestrel-cert-sidecar published no ${name} in ${outputDir}; its log:\n${logs}`);
      return data.toString('utf8');
    };
    const env = parseEnvFile(read('kestrel.env'));
    return {
      outputDir: outputDir,
      mountPath: this.mountPath,
      kestrelEnvironment: env,
      manifest: JSON.parse(read('manifest.json')),
      logs,
    };
  }
}
