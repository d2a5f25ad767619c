/**
 * The `ctx` command scripts call. It is plain CommonJS run by the node binary that runs the agent,
 * kept here as text so the runner can write it next to each script: it works the same from a bundled
 * Lambda and from an agent install, with nothing but node on the host.
 *
 * Usage (Cloudify's ctx client): ctx [-j|--json-output] [-t|--timeout SECONDS] [--json-arg-prefix P]
 *   [--socket-url URL] ARGS...   An argument starting with the prefix (default `@`) is sent as JSON.
 * Prints the result: strings raw, other values as JSON, nothing for null. Errors go to stderr, exit 1.
 */

export const CTX_CLI_SOURCE = String.raw`'use strict';
const http = require('node:http');

const args = process.argv.slice(2);
let jsonOutput = false;
let timeoutSeconds = 30;
let prefix = '@';
let socketUrl = process.env.CTX_SOCKET_URL;

function fail(message) {
  process.stderr.write('ctx: ' + message + '\n');
  process.exitCode = 1;
}

function takeOption(name, short) {
  const a = args[0];
  if (a === name || (short && a === short)) {
    if (args.length < 2) throw new Error(name + ' needs a value');
    const v = args[1];
    args.splice(0, 2);
    return v;
  }
  if (a.startsWith(name + '=')) {
    args.shift();
    return a.slice(name.length + 1);
  }
  return undefined;
}

function main() {
  while (args.length > 0) {
    const a = args[0];
    if (a === '-j' || a === '--json-output') { jsonOutput = true; args.shift(); continue; }
    if (a === '--') { args.shift(); break; }
    let v = takeOption('--timeout', '-t');
    if (v !== undefined) { timeoutSeconds = Number(v); continue; }
    v = takeOption('--json-arg-prefix');
    if (v !== undefined) { prefix = v; continue; }
    v = takeOption('--socket-url');
    if (v !== undefined) { socketUrl = v; continue; }
    break;
  }
  if (!socketUrl) return fail('CTX_SOCKET_URL is not set: ctx only works inside an operation run by Stratus');
  if (args.length === 0) return fail('no command given, e.g. ctx instance runtime-properties KEY');
  const sent = args.map(function (a) {
    if (prefix && a.startsWith(prefix)) {
      try { return JSON.parse(a.slice(prefix.length)); } catch (e) { return a; }
    }
    return a;
  });
  const url = new URL(socketUrl);
  const body = JSON.stringify({ args: sent });
  const req = http.request({
    hostname: url.hostname,
    port: url.port,
    path: url.pathname,
    method: 'POST',
    headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
    timeout: (Number.isFinite(timeoutSeconds) && timeoutSeconds > 0 ? timeoutSeconds : 30) * 1000,
  }, function (res) {
    const chunks = [];
    res.on('data', function (c) { chunks.push(c); });
    res.on('end', function () {
      let reply;
      try { reply = JSON.parse(Buffer.concat(chunks).toString('utf8')); }
      catch (e) { return fail('the ctx proxy answered HTTP ' + res.statusCode + ' with no JSON'); }
      if (reply && reply.type === 'result') {
        const p = reply.payload;
        if (jsonOutput) process.stdout.write(JSON.stringify(p === undefined ? null : p) + '\n');
        else if (p === null || p === undefined) return;
        else process.stdout.write((typeof p === 'string' ? p : JSON.stringify(p)) + '\n');
        return;
      }
      const message = reply && reply.payload && reply.payload.message;
      fail(message || 'the ctx proxy answered HTTP ' + res.statusCode);
    });
  });
  req.on('timeout', function () { req.destroy(new Error('no answer within ' + timeoutSeconds + ' s')); });
  req.on('error', function (e) { fail('cannot reach the ctx proxy: ' + e.message); });
  req.end(body);
}

try { main(); } catch (e) { fail(e.message); }
`;
