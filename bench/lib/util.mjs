// Process, file and network helpers of the benchmark.

import { spawn } from 'node:child_process';
import { lstatSync, readdirSync, existsSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** The environment for child npm commands: without the npm_* variables of `npm run`. */
export function cleanEnv(extra = {}) {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^npm_/i.test(k)) env[k] = v;
  return { ...env, NO_UPDATE_NOTIFIER: '1', npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false', ...extra };
}

/** Runs a command to completion; resolves {code, stdout, stderr, ms}. Never rejects on exit codes. */
export function run(cmd, args, { cwd, env, timeoutMs = 300_000 } = {}) {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(cmd, args, { cwd, env: env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? signal, stdout, stderr, ms: performance.now() - t0 });
    });
  });
}

/**
 * Spawns a process and resolves when it writes its first stdout line: {wallMs, line}, where
 * wallMs runs from just before spawn() to that line. The process is then left to exit (or killed
 * after 5 s).
 */
export function firstLine(cmd, args, { cwd, env } = {}) {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(cmd, args, { cwd, env: env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let done = false;
    const killer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.stdout.setEncoding('utf8').on('data', (d) => {
      if (done) return;
      out += d;
      const nl = out.indexOf('\n');
      if (nl < 0) return;
      done = true;
      const wallMs = performance.now() - t0;
      const line = out.slice(0, nl);
      child.once('close', () => {
        clearTimeout(killer);
        resolve({ wallMs, line });
      });
      setTimeout(() => child.kill('SIGKILL'), 5000).unref();
    });
    child.stderr.setEncoding('utf8').on('data', (d) => (err = (err + d).slice(-4000)));
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(killer);
      if (!done) reject(new Error(`${cmd} ${args.join(' ')} exited ${code} without output\n${err}`));
    });
  });
}

/** A TCP port that is free right now on 127.0.0.1 (the test suites' helper). */
export { freePort } from '../../tests/runtimes/consumer.mjs';

/** One HTTP GET on a fresh connection; resolves {status, body} or rejects (ECONNREFUSED...). */
export function httpGet(port, path, headers) {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode, body }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

/** Apparent size (sum of file sizes) and file count of a directory tree; symlinks not followed. */
export function treeSize(dir) {
  let bytes = 0;
  let files = 0;
  const walk = (d) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      const st = lstatSync(p);
      if (st.isDirectory()) walk(p);
      else if (st.isFile()) {
        bytes += st.size;
        files += 1;
      }
    }
  };
  if (existsSync(dir)) walk(dir);
  return { bytes, files };
}

/** How many packages a node_modules tree holds (nested node_modules included). */
export function packageCount(nodeModules) {
  let count = 0;
  const visit = (nm) => {
    if (!existsSync(nm)) return;
    for (const name of readdirSync(nm)) {
      if (name.startsWith('.')) continue;
      const p = join(nm, name);
      if (name.startsWith('@')) {
        for (const sub of readdirSync(p)) {
          count += 1;
          visit(join(p, sub, 'node_modules'));
        }
      } else {
        count += 1;
        visit(join(p, 'node_modules'));
      }
    }
  };
  visit(nodeModules);
  return count;
}
