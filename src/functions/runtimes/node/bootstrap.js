/*
 * sluice's built-in Node.js runtime: runs one Lambda-style handler over the Runtime API.
 *
 * sluice starts it as `node bootstrap.js` with the function's code folder as the working
 * directory and in LAMBDA_TASK_ROOT, `_HANDLER` naming the handler (`app.handler`, or
 * `pkg/sub/mod.fn` for a module in a subfolder) and AWS_LAMBDA_RUNTIME_API = host:port. It
 * loads the handler once (CommonJS .js/.cjs, or an ES module: .mjs, or .js under
 * "type": "module"), then loops like AWS's Node runtime (aws-lambda-nodejs-runtime-interface-
 * client): GET /2018-06-01/runtime/invocation/next, call handler(event, context, callback),
 * POST the JSON result to .../{id}/response or the error to .../{id}/error. Handlers may be
 * async, use the callback, or use the legacy context.succeed/fail/done.
 *
 * Failures follow the AWS runtime: a handler that cannot be loaded is posted to
 * /runtime/init/error (Runtime.* error types) and the process exits 129; an uncaught
 * exception exits 129 and an unhandled rejection 128, after reporting it. A Runtime API
 * failure (connection lost, non-2xx answer) exits 1, and sluice replaces the process.
 *
 * This file is CommonJS and uses only Node's built-in modules. console is patched to
 * Lambda's log format (`time\trequestId\tLEVEL\tmessage` on stdout); the runtime prints
 * nothing else on a normal invocation, since sluice writes START/END/REPORT itself.
 */

'use strict';

const fs = require('fs');
const http = require('http');
const path = require('path');
const util = require('util');
const { pathToFileURL } = require('url');

const API_PREFIX = '/2018-06-01/runtime';
const ERROR_TYPE_HEADER = 'Lambda-Runtime-Function-Error-Type';
const EXIT_UNCAUGHT_EXCEPTION = 129;
const EXIT_UNHANDLED_REJECTION = 128;
const EXIT_RUNTIME_API_FAILURE = 1;

// --- Errors ----------------------------------------------------------------------------

// Named like the AWS runtime's classes; the name is on the prototype so that the stack,
// captured at construction, already starts with `Runtime.Name:`.
function runtimeErrorClass(name) {
  const cls = class extends Error {};
  cls.prototype.name = `Runtime.${name}`;
  return cls;
}

const ImportModuleError = runtimeErrorClass('ImportModuleError');
const HandlerNotFound = runtimeErrorClass('HandlerNotFound');
const MalformedHandlerName = runtimeErrorClass('MalformedHandlerName');
const NodeJsExit = runtimeErrorClass('NodeJsExit');

// Keeps the SyntaxError's own stack, whose first line names the file and line at fault.
class UserCodeSyntaxError extends Error {
  constructor(syntaxError) {
    super(String(syntaxError));
    if (typeof syntaxError.stack === 'string') this.stack = syntaxError.stack;
  }
}
UserCodeSyntaxError.prototype.name = 'Runtime.UserCodeSyntaxError';

class UnhandledPromiseRejection extends Error {
  constructor(reason, promise) {
    super(reason);
    this.reason = reason;
    this.promise = promise;
  }
}
UnhandledPromiseRejection.prototype.name = 'Runtime.UnhandledPromiseRejection';

const NODE_JS_EXIT_MESSAGE =
  'The Lambda runtime client detected an unexpected Node.js exit code. This is most ' +
  'commonly caused by a Promise that was never settled. For more information, see ' +
  'https://nodejs.org/docs/latest/api/process.html#exit-codes';

class RuntimeApiError extends Error {}

function isErrorLike(obj) {
  return Boolean(obj) && typeof obj.name === 'string' && typeof obj.message === 'string' &&
    typeof obj.stack === 'string' && Boolean(obj.name && obj.message && obj.stack);
}

// The error body posted to the Runtime API, exactly as the AWS runtime builds it: `trace`,
// not `stackTrace`, and `typeof` as the type of a thrown non-Error.
function toRapidResponse(error) {
  try {
    if (util.types.isNativeError(error) || isErrorLike(error)) {
      return {
        errorType: error.name,
        errorMessage: error.message,
        trace: error.stack.split('\n'),
      };
    }
    return { errorType: typeof error, errorMessage: error.toString(), trace: [] };
  } catch (_) {
    return {
      errorType: 'handled',
      errorMessage: 'callback called with Error argument, but there was a problem while ' +
        'retrieving one or more of its message, name, and stack',
    };
  }
}

// name, message and stack are not enumerable, so JSON.stringify would drop them.
function withEnumerableProperties(value) {
  if (!(value instanceof Error)) return value;
  const shown = Object.assign(
    { errorType: value.name, errorMessage: value.message, code: value.code },
    value,
  );
  if (typeof value.stack === 'string') shown.stack = value.stack.split('\n');
  return shown;
}

// The JSON that the AWS runtime logs after `Invoke Error` / `Uncaught Exception`.
function formatErrorForLog(error) {
  const asError = error instanceof Error ? error : new Error(error);
  try {
    return '\t' + JSON.stringify(asError, (_key, value) => withEnumerableProperties(value));
  } catch (_) {
    return '\t' + JSON.stringify(toRapidResponse(asError));
  }
}

// --- Logging ---------------------------------------------------------------------------

let currentRequestId; // stays undefined during init, as on Lambda

// Lambda's text log format. The AWS runtime turns newlines into \r so that CloudWatch keeps
// a message in one event; sluice's log is a plain file, so they are left alone.
function writeLogLine(level, args) {
  const time = new Date().toISOString();
  process.stdout.write(`${time}\t${currentRequestId}\t${level}\t${util.format(...args)}\n`);
}

function patchConsole() {
  const levels = { trace: 'TRACE', debug: 'DEBUG', info: 'INFO', warn: 'WARN', error: 'ERROR' };
  for (const [method, level] of Object.entries(levels)) {
    console[method] = (...args) => writeLogLine(level, args);
  }
  console.log = console.info;
  console.fatal = (...args) => writeLogLine('FATAL', args);
}

function logError(title, error) {
  console.error(title, formatErrorForLog(error));
}

// --- Runtime API client ----------------------------------------------------------------

// All calls share one keep-alive connection (maxSockets: 1, TCP_NODELAY): opening one per
// call would cost more than the rest of a warm invocation.
class RuntimeClient {
  constructor(address) {
    const colon = address.lastIndexOf(':');
    this.hostname = address.slice(0, colon);
    this.port = Number(address.slice(colon + 1));
    this.agent = new http.Agent({ keepAlive: true, maxSockets: 1, noDelay: true });
  }

  async nextInvocation() {
    const answer = await this.request('GET', `${API_PREFIX}/invocation/next`);
    if (answer.status !== 200) throw apiFailure('GET /invocation/next', answer);
    return answer;
  }

  postResponse(requestId, body) {
    const target = `${API_PREFIX}/invocation/${encodeURIComponent(requestId)}/response`;
    return this.post(target, body, { 'Content-Type': 'application/json' });
  }

  postError(requestId, error) {
    const target = `${API_PREFIX}/invocation/${encodeURIComponent(requestId)}/error`;
    return this.postErrorTo(target, error);
  }

  postInitError(error) {
    return this.postErrorTo(`${API_PREFIX}/init/error`, error);
  }

  postErrorTo(target, error) {
    const response = toRapidResponse(error);
    return this.post(target, JSON.stringify(response), {
      'Content-Type': 'application/json',
      [ERROR_TYPE_HEADER]: response.errorType,
    });
  }

  async post(target, body, headers) {
    // An explicit length keeps the body out of chunked encoding.
    headers['Content-Length'] = Buffer.byteLength(body);
    const answer = await this.request('POST', target, body, headers);
    if (answer.status < 200 || answer.status > 299) throw apiFailure(`POST ${target}`, answer);
  }

  request(method, target, body, headers) {
    return new Promise((resolve, reject) => {
      const failed = (e) => reject(new RuntimeApiError(`${method} ${target}: ${e.message}`));
      const options = {
        hostname: this.hostname, port: this.port, method, path: target, headers, agent: this.agent,
      };
      const request = http.request(options, (response) => {
        const chunks = [];
        response.on('data', (chunk) => chunks.push(chunk));
        response.on('end', () => resolve({
          status: response.statusCode,
          headers: response.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        }));
        response.on('error', failed);
      });
      request.on('error', failed);
      request.end(body);
    });
  }
}

function apiFailure(call, answer) {
  return new RuntimeApiError(`${call} answered ${answer.status}: ${answer.body.slice(0, 200)}`);
}

// --- Loading the handler ---------------------------------------------------------------

// `pkg/sub/mod.obj.fn` → module root `pkg/sub/`, module `mod`, property path `obj.fn`.
async function loadHandler(taskRoot, fullHandler) {
  if (fullHandler.includes('..')) {
    throw new MalformedHandlerName(`'${fullHandler}' is not a valid handler name. Use ` +
      'absolute paths when specifying root directories in handler names.');
  }
  const handlerString = path.basename(fullHandler);
  const moduleRoot = fullHandler.substring(0, fullHandler.indexOf(handlerString));
  const match = handlerString.match(/^([^.]*)\.(.*)$/);
  if (!match) throw new MalformedHandlerName('Bad handler');
  const [, moduleName, propertyPath] = match;

  const userModule = await loadUserModule(taskRoot, moduleRoot, moduleName);
  const handler = propertyPath.split('.').reduce((obj, key) => obj && obj[key], userModule);
  if (!handler) throw new HandlerNotFound(`${fullHandler} is undefined or not exported`);
  if (typeof handler !== 'function') throw new HandlerNotFound(`${fullHandler} is not a function`);
  return handler;
}

async function loadUserModule(taskRoot, moduleRoot, moduleName) {
  try {
    return await findAndLoad(taskRoot, moduleRoot, moduleName);
  } catch (e) {
    if (e instanceof SyntaxError) throw new UserCodeSyntaxError(e);
    if (e && (e.code === 'MODULE_NOT_FOUND' || e.code === 'ERR_MODULE_NOT_FOUND')) {
      throw new ImportModuleError(e);
    }
    throw e;
  }
}

// The AWS runtime's search order: the extensionless path, .js (CommonJS unless the nearest
// package.json says "type": "module"), .mjs, .cjs, then Node's own resolution from the
// task root (node_modules), whose error message is the familiar `Cannot find module 'app'`.
async function findAndLoad(taskRoot, moduleRoot, moduleName) {
  const base = path.resolve(taskRoot, moduleRoot, moduleName);
  const esmFolder = isInModuleTypePackage(path.dirname(base));
  const loaded =
    requireIfExists(base) ||
    (!esmFolder && requireIfExists(base + '.js')) ||
    (esmFolder && (await importIfExists(base + '.js'))) ||
    (await importIfExists(base + '.mjs')) ||
    requireIfExists(base + '.cjs');
  if (loaded) return loaded;
  return require(require.resolve(moduleName, { paths: [taskRoot, moduleRoot] }));
}

function requireIfExists(file) {
  return fs.existsSync(file) ? require(file) : undefined;
}

async function importIfExists(file) {
  return fs.existsSync(file) ? import(pathToFileURL(file).href) : undefined;
}

// Whether .js files in `folder` are ES modules: the nearest package.json decides; a
// node_modules folder or the filesystem root ends the search.
function isInModuleTypePackage(folder) {
  for (let dir = folder; !dir.endsWith('/node_modules'); dir = path.dirname(dir)) {
    const packageJson = path.join(dir, 'package.json');
    if (fs.existsSync(packageJson)) {
      try {
        return JSON.parse(fs.readFileSync(packageJson, 'utf8')).type === 'module';
      } catch (e) {
        console.warn(`${packageJson} cannot be read, it will be ignored for ES module ` +
          'detection purposes.', e);
        return false;
      }
    }
    if (dir === path.dirname(dir)) return false;
  }
  return false;
}

// --- The context object ----------------------------------------------------------------

// Read once: the environment does not change between invocations.
function functionInfo(env) {
  return {
    functionName: env.AWS_LAMBDA_FUNCTION_NAME,
    functionVersion: env.AWS_LAMBDA_FUNCTION_VERSION,
    memoryLimitInMB: env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    logGroupName: env.AWS_LAMBDA_LOG_GROUP_NAME,
    logStreamName: env.AWS_LAMBDA_LOG_STREAM_NAME,
  };
}

function parseJsonHeader(value, name) {
  if (value === undefined) return undefined;
  try {
    return JSON.parse(value);
  } catch (err) {
    throw new Error(`Cannot parse ${name} as json: ${err.toString()}`);
  }
}

function makeContext(info, headers, completion) {
  const deadline = Number(headers['lambda-runtime-deadline-ms']) || 0;
  return {
    ...info,
    clientContext: parseJsonHeader(headers['lambda-runtime-client-context'], 'ClientContext'),
    identity: parseJsonHeader(headers['lambda-runtime-cognito-identity'], 'CognitoIdentity'),
    invokedFunctionArn: headers['lambda-runtime-invoked-function-arn'],
    awsRequestId: headers['lambda-runtime-aws-request-id'],
    tenantId: headers['lambda-runtime-aws-tenant-id'],
    getRemainingTimeInMillis: () => Math.max(deadline - Date.now(), 0),
    // Accepted for compatibility; sluice answers as soon as the callback is called.
    callbackWaitsForEmptyEventLoop: true,
    succeed: completion.succeed,
    fail: completion.fail,
    done: completion.done,
  };
}

// --- Running one invocation ------------------------------------------------------------

// The invocation in flight, {requestId, onEmptyEventLoop}: the 'beforeExit' and crash
// listeners need to reach it.
let current = null;

// Resolves with {result} or {error} once the handler has finished, whichever way it does:
// returned promise, callback, context.succeed/fail/done, or (if none of those ever
// happens) the event loop running empty. Only the first completion counts.
function runHandler(invocation, handler, info, headers, body) {
  return new Promise((resolve) => {
    let finished = false;
    const finish = (outcome) => {
      if (finished) return;
      finished = true;
      resolve(outcome);
    };
    const succeed = (result) => finish({ result });
    // The AWS runtime reports a failure without a reason as the string 'handled'.
    const fail = (error) => finish({ error: error == null ? 'handled' : error });
    const done = (error, result) => (error == null ? succeed(result) : fail(error));
    invocation.onEmptyEventLoop = () => succeed(null);

    let returned;
    try {
      const context = makeContext(info, headers, { succeed, fail, done });
      const event = body === '' ? null : JSON.parse(body);
      returned = handler(event, context, done);
    } catch (err) {
      fail(err);
      return;
    }
    if (returned && typeof returned.then === 'function') {
      // A promise that never settles leaves nothing to run: the AWS runtime reports it.
      invocation.onEmptyEventLoop = () => fail(new NodeJsExit(NODE_JS_EXIT_MESSAGE));
      returned.then(succeed, fail);
    }
    // Otherwise wait for the callback, or answer null when the event loop empties, as
    // Lambda does for a synchronous handler that never calls it.
  });
}

function serializeResult(result) {
  try {
    return JSON.stringify(result === undefined ? null : result) ?? 'null';
  } catch (_) {
    return undefined;
  }
}

async function handleInvocation(client, handler, info, { headers, body }) {
  const requestId = headers['lambda-runtime-aws-request-id'];
  if (!requestId) throw new RuntimeApiError('GET /invocation/next answered without a request id');
  currentRequestId = requestId;
  current = { requestId, onEmptyEventLoop: null };
  setTraceId(headers['lambda-runtime-trace-id']);

  let outcome = await runHandler(current, handler, info, headers, body);
  let payload;
  if (!('error' in outcome)) {
    payload = serializeResult(outcome.result);
    if (payload === undefined) outcome = { error: new Error('Unable to stringify response body') };
  }
  current = null;
  if ('error' in outcome) {
    logError('Invoke Error', outcome.error);
    await client.postError(requestId, outcome.error);
  } else {
    await client.postResponse(requestId, payload);
  }
}

function setTraceId(traceId) {
  if (traceId) process.env._X_AMZN_TRACE_ID = traceId;
  else delete process.env._X_AMZN_TRACE_ID;
}

// --- Process-level failures ------------------------------------------------------------

// Report an error that escaped the handler (or the init) and exit, as the AWS runtime does.
async function reportAndExit(client, error, title, code, initialized) {
  logError(title, error);
  try {
    if (!initialized) await client.postInitError(error);
    else if (current) await client.postError(current.requestId, error);
  } catch (e) {
    process.stderr.write(`sluice node runtime: ${e.message}\n`);
  }
  process.exit(code);
}

function exitOnApiFailure(error) {
  process.stderr.write(`sluice node runtime: ${error.message}\n`);
  process.exit(EXIT_RUNTIME_API_FAILURE);
}

async function main() {
  patchConsole();
  const client = new RuntimeClient(process.env.AWS_LAMBDA_RUNTIME_API || '');
  let initialized = false;

  process.on('uncaughtException', (error) => {
    reportAndExit(client, error, 'Uncaught Exception', EXIT_UNCAUGHT_EXCEPTION, initialized);
  });
  process.on('unhandledRejection', (reason, promise) => {
    const error = new UnhandledPromiseRejection(reason, promise);
    reportAndExit(client, error, 'Unhandled Promise Rejection', EXIT_UNHANDLED_REJECTION,
      initialized);
  });
  // The agent unrefs its idle keep-alive socket, so while a handler runs, an empty event
  // loop means it has nothing left to do and never completed.
  process.on('beforeExit', () => {
    if (current && current.onEmptyEventLoop) current.onEmptyEventLoop();
  });

  const taskRoot = process.env.LAMBDA_TASK_ROOT || process.cwd();
  let handler;
  try {
    handler = await loadHandler(taskRoot, process.env._HANDLER || '');
  } catch (error) {
    await reportAndExit(client, error, 'Uncaught Exception', EXIT_UNCAUGHT_EXCEPTION, false);
  }
  initialized = true;

  const info = functionInfo(process.env);
  for (;;) {
    const invocation = await client.nextInvocation();
    await handleInvocation(client, handler, info, invocation);
  }
}

main().catch((error) => {
  if (error instanceof RuntimeApiError) exitOnApiFailure(error);
  else throw error;
});
