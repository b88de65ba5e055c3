// The production-like stack (docker-compose.yml + Dockerfile), checked for the
// mistakes that would only show once it runs: a setting the app needs missing or
// pointing nowhere, a wait on a service that has no health check, a port open to
// the network, search attributes out of step with the code, an image that cannot
// run what compose asks of it. No Docker engine: the files are read as data and
// the environment goes through the app's own lib/config.ts.
import { builtinModules } from 'node:module';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { searchAttributeCliArgs } from '../domain/search-attributes';
import { dynamicConfigCliArgs } from '../scripts/stack/temporal';
import { Config, loadConfig } from '../lib/config';

interface Service {
  command?: string | string[];
  environment?: Record<string, string | number>;
  ports?: (string | { target: number; host_ip?: string })[];
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string | string[]; disable?: boolean };
  volumes?: string[];
}

const root = path.resolve(__dirname, '..');
const read = (file: string) => readFileSync(path.join(root, file), 'utf8');
// merge: true resolves `<<: *app-env` the way docker compose does.
const services = (parse(read('docker-compose.yml'), { merge: true }) as { services: Record<string, Service> }).services;
const pkg = JSON.parse(read('package.json')) as { dependencies: Record<string, string> };
const appServices = ['api', 'worker'];

/** What compose makes of a value when the operator sets every `${NAME:?…}` it requires, and nothing else. */
function interpolate(value: string | number): string {
  return String(value)
    .replace(/\$\{(\w+):?\?[^}]*\}/g, (_, name: string) => operatorValue(name))
    .replace(/\$\{\w+:?-([^}]*)\}/g, '$1')
    .replace(/\$\{\w+\}/g, '')
    .replace(/\$\$/g, '$');
}
const operatorValue = (name: string) => `set-by-operator-${name}`;

/** The configuration a container of this service starts with (lib/config.ts throws on a missing or bad setting). */
function configOf(name: string): Config {
  const env = Object.fromEntries(Object.entries(services[name].environment ?? {}).map(([k, v]) => [k, interpolate(v)]));
  return loadConfig(env);
}

function published(service: Service): { hostIp?: string; target: number }[] {
  return (service.ports ?? []).map((p) => {
    if (typeof p !== 'string') return { hostIp: p.host_ip, target: p.target };
    const parts = p.replace(/\/\w+$/, '').split(':');
    return { hostIp: parts.length === 3 ? parts[0] : undefined, target: Number(parts.at(-1)) };
  });
}

const hostPort = (address: string) => {
  const [host, port] = address.split(':');
  return { host, port: Number(port) };
};

describe('the production stack (docker-compose.yml)', () => {
  test.each(appServices)('%s starts with a valid configuration whose secrets come from the operator and whose webhooks cannot reach private addresses', (name) => {
    const config = configOf(name);
    expect(config.JOURNEY_WEBHOOK_SECRET).toBe(operatorValue('JOURNEY_WEBHOOK_SECRET'));
    expect(config.EMAIL_TOKEN_SECRET).toBe(operatorValue('EMAIL_TOKEN_SECRET'));
    expect(config.CRM_SECRET_KEY).toBe(operatorValue('CRM_SECRET_KEY'));
    expect(config.JOURNEY_WEBHOOK_ALLOW_PRIVATE).toBe(false);
    if (name === 'api') expect(config.ADMIN_API_KEY).toBe(operatorValue('ADMIN_API_KEY'));
  });

  test('api and worker agree on the database, the Temporal namespace and the task queue', () => {
    const [api, worker] = appServices.map(configOf);
    const shared = (c: Config) => [c.MONGO_URL, c.TEMPORAL_ADDRESS, c.TEMPORAL_NAMESPACE, c.TASK_QUEUE];
    expect(shared(worker)).toEqual(shared(api));
  });

  test.each(appServices)('%s reaches MongoDB at a replica-set member the mongo service announces', (name) => {
    const url = new URL(configOf(name).MONGO_URL);
    expect(Object.keys(services)).toContain(url.hostname);
    const mongo = services[url.hostname];
    // Compose runs the healthcheck that initiates the replica set; a client with
    // replicaSet= then connects to the members it names, so they must be this address.
    const initiate = [mongo.healthcheck?.test ?? ''].flat().join(' ');
    const members = [...initiate.matchAll(/host:\s*'([^']+)'/g)].map((m) => m[1]);
    expect(members).toContain(url.host);
    expect(initiate).toContain(`_id:'${url.searchParams.get('replicaSet')}'`);
    expect([mongo.command ?? []].flat()).toEqual(expect.arrayContaining(['--replSet', url.searchParams.get('replicaSet')]));
  });

  test('api and worker send email through one relay, by default the maildev service, listening where they send and run from the image', () => {
    const [api, worker] = appServices.map(configOf);
    expect([worker.SMTP_URL, worker.MAIL_FROM]).toEqual([api.SMTP_URL, api.MAIL_FROM]);
    const url = new URL(api.SMTP_URL);
    expect(Object.keys(services)).toContain(url.hostname);
    const command = [services[url.hostname].command ?? []].flat();
    const flag = (name: string) => command[command.indexOf(name) + 1];
    expect(flag('--smtp')).toBe(url.port);
    // Loopback inside its container could not be reached from the others.
    expect(flag('--ip')).toBe('0.0.0.0');
    // The image holds production packages only: MailDev must be one of them.
    expect(command[0]).toBe('node');
    expect(existsSync(path.join(root, command[1]))).toBe(true);
    expect(Object.keys(pkg.dependencies)).toContain(command[1].split('/')[1]);
  });

  test('every client of Temporal uses the address the temporal service listens on', () => {
    const address = configOf('worker').TEMPORAL_ADDRESS;
    const { host, port } = hostPort(address);
    expect(published(services[host]).map((p) => p.target)).toContain(port);
    expect(interpolate(services['temporal-ui'].environment?.TEMPORAL_ADDRESS ?? '')).toBe(address);
    const setup = [services['temporal-setup'].command ?? []].flat().join('\n');
    expect(setup).toContain(`addr=${address}`);
    expect(setup).toContain(`--namespace ${configOf('worker').TEMPORAL_NAMESPACE}`);
  });

  test('the api listens in its container on the port compose publishes, on all of its interfaces', () => {
    const config = configOf('api');
    expect(published(services.api).map((p) => p.target)).toContain(config.PORT);
    // Loopback inside a container cannot be reached through a published port.
    expect(config.HOST).toBe('0.0.0.0');
  });

  test('a service waited for until healthy has a health check, and every wait names a service', () => {
    for (const [name, service] of Object.entries(services)) {
      for (const [dep, { condition }] of Object.entries(service.depends_on ?? {})) {
        expect({ name, dep, exists: dep in services }).toEqual({ name, dep, exists: true });
        const check = services[dep].healthcheck;
        if (condition === 'service_healthy') expect({ name, dep, healthcheck: check !== undefined && !check.disable }).toEqual({ name, dep, healthcheck: true });
      }
    }
  });

  test('ports are published on 127.0.0.1 only', () => {
    const open = Object.entries(services).flatMap(([name, s]) => published(s).filter((p) => p.hostIp !== '127.0.0.1').map((p) => `${name}:${p.target}`));
    expect(open).toEqual([]);
  });

  test('temporal-setup registers exactly the search attributes of domain/search-attributes.ts', () => {
    const setup = [services['temporal-setup'].command ?? []].flat().join('\n');
    const registered = setup.match(/for attr in ([^;]+);/)?.[1].trim().split(/\s+/);
    const declared = searchAttributeCliArgs()
      .filter((a) => a !== '--search-attribute')
      .map((a) => a.replace('=', ':'));
    expect(registered).toEqual(declared);
  });

  test('the temporal service reads the dynamic config the embedded server is started with', () => {
    const temporal = services.temporal;
    const target = String(temporal.environment?.DYNAMIC_CONFIG_FILE_PATH);
    const mounts = (temporal.volumes ?? []).map((v) => v.split(':'));
    expect(mounts).toContainEqual(['./deploy/temporal/dynamicconfig.yaml', target, 'ro']);
    // The backlog count the background fan-outs pace themselves by, cached no longer than they wait between readings.
    expect(dynamicConfigCliArgs()).toEqual(['--dynamic-config-value', 'matching.TaskQueueInfoByBuildIdTTL="500ms"']);
  });
});

describe('the Dockerfile', () => {
  const lines = read('Dockerfile')
    .replace(/\\\r?\n/g, ' ')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
  const finalStage = lines.slice(lines.map((l) => /^FROM\s/i.test(l)).lastIndexOf(true));
  const last = (op: string) => finalStage.filter((l) => l.toUpperCase().startsWith(`${op} `)).at(-1)?.slice(op.length + 1);
  const copied = finalStage.filter((l) => /^COPY\s/i.test(l) && !l.includes('--from=')).flatMap((l) => l.split(/\s+/).slice(1, -1));
  const commands = { api: JSON.parse(last('CMD') ?? '[]') as string[], worker: [services.worker.command ?? []].flat() };

  test('the final stage runs as a user other than root', () => {
    expect(['', 'root', '0', undefined]).not.toContain(last('USER'));
  });

  test('the api keeps the segment previews snapshot it saves on a volume, in a folder the image lets its user write', () => {
    const dataDir = finalStage.map((l) => /^ENV\s+DATA_DIR=(\S+)/i.exec(l)?.[1]).find(Boolean);
    expect(dataDir).toBeDefined();
    expect(finalStage).toContainEqual(expect.stringMatching(new RegExp(`^RUN mkdir -p ${dataDir} && chown ${last('USER')}:${last('USER')} ${dataDir}$`)));
    expect((services.api.volumes ?? []).map((v) => v.split(':')[1])).toContain(dataDir);
  });

  test.each(Object.entries(commands))('the image holds what the %s command runs: its runner from the production packages, and every source folder its code imports', (_, command) => {
    const [runtime, runner, entry] = command;
    expect(runtime).toBe('node');
    expect(existsSync(path.join(root, runner))).toBe(true);
    expect(Object.keys(pkg.dependencies)).toContain(runner.split('/')[1]);
    const { folders, packages } = reachedFrom(entry);
    expect([...folders].filter((f) => !copied.includes(f))).toEqual([]);
    // The image installs production dependencies only.
    expect([...packages].filter((p) => !(p in pkg.dependencies))).toEqual([]);
  });
});

/** Top-level folders and npm packages reached from a source file through its runtime imports. */
function reachedFrom(entry: string): { folders: Set<string>; packages: Set<string> } {
  const folders = new Set<string>();
  const packages = new Set<string>();
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    folders.add(path.relative(root, file).split(path.sep)[0]);
    const source = readFileSync(file, 'utf8');
    const specifiers = [...source.matchAll(/^\s*(?:import|export)\s+(?!type\b)[^;]*?from\s+'([^']+)'|^\s*import\s+'([^']+)'|\b(?:import|require|require\.resolve)\('([^']+)'\)/gm)].map((m) => m[1] ?? m[2] ?? m[3]);
    for (const spec of specifiers) {
      if (spec.startsWith('.')) {
        const base = path.resolve(path.dirname(file), spec);
        const found = [`${base}.ts`, path.join(base, 'index.ts'), base].find((f) => existsSync(f) && f.endsWith('.ts'));
        if (found) visit(found);
      } else if (!spec.startsWith('node:') && !builtinModules.includes(spec)) {
        packages.add(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]);
      }
    }
  };
  visit(path.join(root, entry));
  return { folders, packages };
}
