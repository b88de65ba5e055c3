import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync, symlinkSync, lstatSync, unlinkSync } from 'node:fs';
import path from 'node:path';
import { cacheRoot, GoTool, toolsBin } from './tools';

/** Path of the tool's binary in the per-version cache. */
export function cachedBinary(tool: GoTool): string {
  return path.join(cacheRoot, tool.cacheKey, tool.binary);
}

function link(tool: GoTool): string {
  const target = cachedBinary(tool);
  const linkPath = path.join(toolsBin, tool.binary);
  mkdirSync(toolsBin, { recursive: true });
  if (existsSync(linkPath) || isLink(linkPath)) unlinkSync(linkPath);
  symlinkSync(target, linkPath);
  return linkPath;
}

function isLink(p: string): boolean {
  try {
    return lstatSync(p).isSymbolicLink();
  } catch {
    return false;
  }
}

/**
 * Builds the tool into a temporary folder beside its cache folder and renames it
 * into place, so a build cut short never leaves a half-written binary and two
 * concurrent first runs (npm start and npm test) cannot corrupt each other.
 */
export async function ensureGoTool(tool: GoTool, log: (line: string) => void = console.log): Promise<string> {
  if (existsSync(cachedBinary(tool))) return link(tool);
  const finalDir = path.join(cacheRoot, tool.cacheKey);
  const tmpDir = `${finalDir}.tmp-${process.pid}`;
  mkdirSync(tmpDir, { recursive: true });
  log(`[tools] building ${tool.name} into ${finalDir} (once per version; about ${tool.expected})`);
  const started = Date.now();
  let packages = 0;
  let last = '';
  const args = tool.build.args.map((a) => a.replace('__OUT__', tmpDir));
  const child = spawn('go', args, { cwd: tool.build.cwd, env: tool.build.env(tmpDir), stdio: ['ignore', 'pipe', 'pipe'] });
  const errors: string[] = [];
  // `go build -v` names each package as it compiles: count them for progress.
  const onOutput = (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n')) {
      if (!line.trim()) continue;
      if (/error|cannot|undefined|panic/i.test(line)) errors.push(line);
      packages += 1;
      last = line.trim();
    }
  };
  child.stdout.on('data', onOutput);
  child.stderr.on('data', onOutput);
  const ticker = setInterval(() => {
    const secs = Math.round((Date.now() - started) / 1000);
    log(`[tools] ${tool.name}: ${secs}s, ${packages} packages compiled (last: ${last})`);
  }, 15000);
  const code = await new Promise<number>((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (c) => resolve(c ?? 1));
  }).finally(() => clearInterval(ticker));
  if (code !== 0 || !existsSync(path.join(tmpDir, tool.binary))) {
    rmSync(tmpDir, { recursive: true, force: true });
    throw new Error(`building ${tool.name} failed (go exit ${code}):\n${errors.slice(-20).join('\n')}`);
  }
  if (existsSync(cachedBinary(tool))) {
    rmSync(tmpDir, { recursive: true, force: true });
  } else {
    rmSync(finalDir, { recursive: true, force: true });
    renameSync(tmpDir, finalDir);
  }
  log(`[tools] ${tool.name} built in ${Math.round((Date.now() - started) / 1000)}s`);
  return link(tool);
}
