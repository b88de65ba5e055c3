// The production-like stack (docker-compose.yml + Dockerfile) as a specification.
// No Docker engine is needed: the files are read and checked as data.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { allSearchAttributes } from '../domain/search-attributes';

interface DependsOn {
  condition: string;
}
interface Service {
  image?: string;
  build?: string | { context: string; dockerfile?: string };
  command?: string | string[];
  entrypoint?: string | string[];
  environment?: Record<string, string | number>;
  ports?: string[];
  depends_on?: Record<string, DependsOn>;
  healthcheck?: { test: string | string[] };
  volumes?: string[];
}
interface Compose {
  services: Record<string, Service>;
  volumes?: Record<string, unknown>;
}

const root = path.resolve(__dirname, '..');
const composeText = readFileSync(path.resolve(__dirname, '..', 'docker-compose.yml'), 'utf8');
// merge: true resolves `<<: *app-env` the way docker compose does.
const compose = parse(composeText, { merge: true }) as Compose;
const services = compose.services;
const dockerfile = readFileSync(path.join(root, 'Dockerfile'), 'utf8');

const TSX = ['node', 'node_modules/tsx/dist/cli.mjs'];
const appServices = ['api', 'worker'] as const;

function commandText(service: Service): string {
  const { command } = service;
  return Array.isArray(command) ? command.join('\n') : (command ?? '');
}

/** Dockerfile instructions of the final stage, continuation lines joined. */
function finalStage(): Array<{ op: string; args: string }> {
  const lines = dockerfile
    .replace(/\\\r?\n/g, ' ')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
  const instructions = lines.map((l) => {
    const [op, ...rest] = l.split(/\s+/);
    return { op: op.toUpperCase(), args: rest.join(' ') };
  });
  const lastFrom = instructions.map((i) => i.op).lastIndexOf('FROM');
  return instructions.slice(lastFrom);
}

describe('the production stack (docker-compose.yml)', () => {
  test('defines MongoDB as a replica set, PostgreSQL, Temporal, the Temporal UI, the api and the worker', () => {
    expect(Object.keys(services).sort()).toEqual(
      ['api', 'mongo', 'postgresql', 'temporal', 'temporal-setup', 'temporal-ui', 'worker'].sort(),
    );
    expect(services.mongo.image).toBe('mongo:7');
    expect(services.mongo.command).toEqual(['--replSet', 'rs0', '--bind_ip_all']);
    const mongoCheck = (services.mongo.healthcheck?.test as string[]).join(' ');
    expect(mongoCheck).toContain("rs.initiate({_id:'rs0',members:[{_id:0,host:'mongo:27017'}]})");
    expect(services.mongo.volumes).toEqual(['mongo-data:/data/db']);

    expect(services.postgresql.image).toBe('postgres:16');
    expect(services.postgresql.environment).toEqual({ POSTGRES_USER: 'temporal', POSTGRES_PASSWORD: 'temporal' });
    expect(services.postgresql.healthcheck?.test).toEqual(['CMD-SHELL', 'pg_isready -U temporal']);

    expect(services.temporal.image).toBe('temporalio/auto-setup:1.29.1');
    expect(services.temporal.environment).toEqual({
      DB: 'postgres12',
      DB_PORT: 5432,
      POSTGRES_USER: 'temporal',
      POSTGRES_PWD: 'temporal',
      POSTGRES_SEEDS: 'postgresql',
    });
    expect(services['temporal-setup'].image).toBe('temporalio/admin-tools:1.29.1-tctl-1.18.4-cli-1.5.0');

    expect(services['temporal-ui'].image).toBe('temporalio/ui:2.42.1');
    expect(services['temporal-ui'].environment).toEqual({ TEMPORAL_ADDRESS: 'temporal:7233' });

    expect(Object.keys(compose.volumes ?? {}).sort()).toEqual(['mongo-data', 'postgresql-data']);
  });

  test("api and worker are built from the repository's Dockerfile and share one environment", () => {
    for (const name of appServices) {
      expect(services[name].build).toBe('.');
      expect(services[name].image).toBeUndefined();
    }
    const shared = {
      MONGO_URL: 'mongodb://mongo:27017/b2b?replicaSet=rs0',
      TEMPORAL_ADDRESS: 'temporal:7233',
      TEMPORAL_NAMESPACE: 'default',
      TASK_QUEUE: 'b2b-engine',
      LOG_LEVEL: 'info',
      JOURNEY_WEBHOOK_SECRET: '${JOURNEY_WEBHOOK_SECRET:?set JOURNEY_WEBHOOK_SECRET}',
      JOURNEY_WEBHOOK_ALLOW_PRIVATE: 'false',
    };
    expect(services.worker.environment).toEqual(shared);
    expect(services.api.environment).toEqual({
      ...shared,
      HOST: '0.0.0.0',
      PORT: 3000,
      // Left to compose's interpolation: the stack refuses to start without a key.
      ADMIN_API_KEY: '${ADMIN_API_KEY:?set ADMIN_API_KEY}',
    });
    // Both are merged from the one anchor, not written out twice.
    expect(composeText.match(/<<: \*app-env/g)).toHaveLength(2);
  });

  test('api and worker reach MongoDB and Temporal by their service names', () => {
    for (const name of appServices) {
      const env = services[name].environment ?? {};
      const mongoUrl = new URL(String(env.MONGO_URL));
      expect(mongoUrl.protocol).toBe('mongodb:');
      expect(mongoUrl.host).toBe('mongo:27017');
      expect(mongoUrl.hostname in services).toBe(true);
      expect(mongoUrl.pathname).toBe('/b2b');
      expect(mongoUrl.searchParams.get('replicaSet')).toBe('rs0');
      expect(env.TEMPORAL_ADDRESS).toBe('temporal:7233');
      expect(env.TASK_QUEUE).toBe('b2b-engine');
    }
  });

  test('published ports bind to loopback only', () => {
    const published = Object.fromEntries(
      Object.entries(services)
        .filter(([, s]) => s.ports !== undefined)
        .map(([name, s]) => [name, s.ports]),
    );
    expect(published).toEqual({
      temporal: ['127.0.0.1:7233:7233'],
      'temporal-ui': ['127.0.0.1:8233:8080'],
      api: ['127.0.0.1:3000:3000'],
    });
    for (const ports of Object.values(published)) {
      for (const port of ports as string[]) expect(port.startsWith('127.0.0.1:')).toBe(true);
    }
  });

  test('every service the app depends on is waited for with a health or completion condition', () => {
    for (const name of appServices) {
      expect(services[name].depends_on).toEqual({
        mongo: { condition: 'service_healthy' },
        'temporal-setup': { condition: 'service_completed_successfully' },
      });
    }
    expect(services.temporal.depends_on).toEqual({ postgresql: { condition: 'service_healthy' } });
    // A service_healthy condition needs a healthcheck on its target.
    for (const [name, service] of Object.entries(services)) {
      for (const [dep, { condition }] of Object.entries(service.depends_on ?? {})) {
        expect(dep in services).toBe(true);
        if (condition === 'service_healthy') expect({ name, dep, healthcheck: services[dep].healthcheck !== undefined }).toEqual({ name, dep, healthcheck: true });
      }
    }
    // temporal-setup itself waits (bounded) for Temporal's namespace before it exits 0.
    const script = commandText(services['temporal-setup']);
    expect(script).toContain('until temporal operator namespace describe --address "$$addr" --namespace default');
    expect(script).toContain('exit 1');
  });

  test('the search attributes registered match domain/search-attributes.ts', () => {
    const cliType: Record<string, string> = { KEYWORD: 'Keyword', INT: 'Int' };
    const expected = allSearchAttributes.map((k) => `${k.name}:${cliType[k.type]}`);
    expect(expected).toEqual([
      'AccountKey:Keyword',
      'JourneyId:Keyword',
      'JourneyVersion:Int',
      'NodeId:Keyword',
      'JourneyStatus:Keyword',
    ]);

    const setup = services['temporal-setup'];
    expect(setup.entrypoint).toEqual(['/bin/sh', '-c']);
    const script = commandText(setup);
    const loop = script.match(/for attr in ([^;]+);/);
    expect(loop?.[1].trim().split(/\s+/)).toEqual(expected);
    for (const k of allSearchAttributes) expect(script).toContain(k.name);
    expect(script).toContain(
      'temporal operator search-attribute create --address "$$addr" --namespace default --name "$$name" --type "$$type"',
    );
    expect(script).toContain("grep -qi 'already exists'");
    expect(setup.depends_on).toEqual({ temporal: { condition: 'service_started' } });
  });
});

describe('the Dockerfile', () => {
  test('exists and starts the api by default; the worker overrides the command', () => {
    const froms = dockerfile.split(/\r?\n/).filter((l) => /^FROM\s/i.test(l));
    expect(froms).toEqual(['FROM node:20-bookworm-slim AS deps', 'FROM node:20-bookworm-slim']);

    const stage = finalStage();
    const last = (op: string) => stage.filter((i) => i.op === op).at(-1)?.args;
    expect(JSON.parse(last('CMD') ?? 'null')).toEqual([...TSX, 'api/main.ts']);
    expect(last('USER')).toBe('node');
    expect(last('EXPOSE')).toBe('3000');
    const copied = stage.filter((i) => i.op === 'COPY').map((i) => i.args.split(/\s+/)[0]);
    for (const dir of ['api', 'workflows', 'activities', 'workers', 'models', 'domain', 'lib', 'scripts']) {
      expect(copied).toContain(dir);
    }
    expect(copied).toContain('--from=deps');
    expect(dockerfile).toContain('npm install --omit=dev --no-audit --no-fund');

    expect(services.api.command).toBeUndefined();
    expect(services.worker.command).toEqual([...TSX, 'workers/main.ts']);

    const ignored = readFileSync(path.join(root, '.dockerignore'), 'utf8').split(/\r?\n/);
    for (const entry of ['node_modules', '.data', '.tools', 'dist', '.git', 'bench/results']) {
      expect(ignored).toContain(entry);
    }
  });
});
