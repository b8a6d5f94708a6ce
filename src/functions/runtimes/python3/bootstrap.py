"""sluice's built-in Python runtime: runs one Lambda-style handler over the Runtime API.

sluice starts it as `python3 bootstrap.py` with the function's code folder as the working
directory and in LAMBDA_TASK_ROOT, `_HANDLER` naming the handler (`app.handler`, or
`pkg/sub/mod.fn` for a module in a subfolder) and AWS_LAMBDA_RUNTIME_API = host:port. It
imports the handler once, then loops like AWS's own Python runtime (awslambdaric):
GET /2018-06-01/runtime/invocation/next, call handler(event, context), POST the JSON result
to .../{id}/response or the error to .../{id}/error. A failure to import the handler is
posted to /runtime/init/error and the process exits 1; so does any Runtime API failure
(connection lost, non-2xx answer), after which sluice replaces the process.

Error bodies, error types and the `[ERROR] ...` log lines follow awslambdaric, so functions
behave as they do on Lambda. Only the standard library is used. Nothing is printed on a
normal invocation: stdout and stderr belong to the handler, and sluice writes the
START/END/REPORT lines itself.
"""

import _socket
import importlib
import json
import os
import sys
import time

API_PREFIX = "/2018-06-01/runtime"
NEXT_PATH = API_PREFIX + "/invocation/next"
INIT_ERROR_PATH = API_PREFIX + "/init/error"
ERROR_TYPE_HEADER = "Lambda-Runtime-Function-Error-Type"
JSON_HEADERS = {"Content-Type": "application/json"}

# Set per invocation so the logging filter can tag records, as awslambdaric does.
_current_request_id = None


class FaultException(Exception):
    """A failure the runtime itself names (Runtime.*), reported without a user traceback."""

    MALFORMED_HANDLER_NAME = "Runtime.MalformedHandlerName"
    IMPORT_MODULE_ERROR = "Runtime.ImportModuleError"
    USER_CODE_SYNTAX_ERROR = "Runtime.UserCodeSyntaxError"
    HANDLER_NOT_FOUND = "Runtime.HandlerNotFound"
    BUILT_IN_MODULE_CONFLICT = "Runtime.BuiltInModuleConflict"
    UNMARSHAL_ERROR = "Runtime.UnmarshalError"
    MARSHAL_ERROR = "Runtime.MarshalError"
    CONTEXT_UNMARSHAL_ERROR = "Runtime.LambdaContextUnmarshalError"

    def __init__(self, error_type, message, trace=None):
        super().__init__(message)
        self.error_type = error_type
        self.message = message
        self.trace = trace


class RuntimeApiError(Exception):
    """The Runtime API cannot be used any more; the process must exit."""


# --- Runtime API client ------------------------------------------------------------------


class _Headers(dict):
    """Response headers by lower-cased name, looked up in any case."""

    def get(self, name, default=None):
        return dict.get(self, name.lower(), default)


class RuntimeClient:
    """One keep-alive HTTP/1.1 connection to the Runtime API, reused for every call.

    A new connection per call would cost more than the rest of a warm invocation. The HTTP is
    written here on a plain socket rather than with http.client, whose imports (email, ssl)
    cost a cold start more time than the whole runtime needs otherwise. Requests go out in one
    send with TCP_NODELAY; the server answers with Content-Length bodies.
    """

    def __init__(self, address):
        host, _, port = address.rpartition(":")
        self._address = (host, int(port))
        self._host_header = address
        self._sock = None
        self._buffer = b""

    def next_invocation(self):
        status, headers, body = self._call("GET", NEXT_PATH)
        if status != 200:
            raise RuntimeApiError("GET %s answered %d: %r" % (NEXT_PATH, status, body[:200]))
        return headers, body

    def post_response(self, request_id, payload, content_type):
        path = "%s/invocation/%s/response" % (API_PREFIX, request_id)
        self._post(path, payload, {"Content-Type": content_type})

    def post_error(self, request_id, error):
        path = "%s/invocation/%s/error" % (API_PREFIX, request_id)
        self._post_error(path, error)

    def post_init_error(self, error):
        self._post_error(INIT_ERROR_PATH, error)

    def _post_error(self, path, error):
        headers = dict(JSON_HEADERS)
        headers[ERROR_TYPE_HEADER] = error["errorType"]
        self._post(path, to_json(error).encode("utf-8"), headers)

    def _post(self, path, body, headers):
        status, _, answer = self._call("POST", path, body, headers)
        if not 200 <= status < 300:
            raise RuntimeApiError("POST %s answered %d: %r" % (path, status, answer[:200]))

    def _call(self, method, path, body=None, headers=None):
        head = "%s %s HTTP/1.1\r\nHost: %s\r\n" % (method, path, self._host_header)
        for name, value in (headers or {}).items():
            head += "%s: %s\r\n" % (name, value)
        if body is not None:
            head += "Content-Length: %d\r\n" % len(body)
        request = (head + "\r\n").encode("utf-8") + (body or b"")
        try:
            if self._sock is None:
                self._connect()
            self._sock.sendall(request)
            return self._read_response()
        except (OSError, ValueError) as e:
            self._close()
            raise RuntimeApiError("%s %s failed: %s" % (method, path, e)) from e

    def _connect(self):
        # No timeout: /next blocks until sluice has an event, possibly for minutes.
        # _socket, not socket: the module's Python layer (enum, selectors) is cold-start time.
        self._sock = _socket.socket(_socket.AF_INET, _socket.SOCK_STREAM)
        self._sock.setsockopt(_socket.IPPROTO_TCP, _socket.TCP_NODELAY, 1)
        self._sock.connect(self._address)
        self._buffer = b""

    def _close(self):
        if self._sock is not None:
            self._sock.close()
        self._sock = None

    def _read_response(self):
        while b"\r\n\r\n" not in self._buffer:
            self._fill()
        head, _, self._buffer = self._buffer.partition(b"\r\n\r\n")
        lines = head.decode("utf-8", "replace").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        headers = _Headers()
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        if headers.get("Transfer-Encoding"):
            raise ValueError("the Runtime API sent a %s body" % headers.get("Transfer-Encoding"))
        length = int(headers.get("Content-Length", "0"))
        while len(self._buffer) < length:
            self._fill()
        body, self._buffer = self._buffer[:length], self._buffer[length:]
        if headers.get("Connection", "").lower() == "close":
            self._close()
        return status, headers, body

    def _fill(self):
        data = self._sock.recv(65536)
        if not data:
            raise OSError("the Runtime API closed the connection")
        self._buffer += data


# --- Loading the handler -----------------------------------------------------------------


def load_handler(handler_name):
    """Import the handler's module and return the function, raising FaultException."""
    try:
        module_name, function_name = handler_name.rsplit(".", 1)
    except ValueError as e:
        raise FaultException(
            FaultException.MALFORMED_HANDLER_NAME,
            "Bad handler '{}': {}".format(handler_name, e),
        )

    module = import_user_module(module_name)
    try:
        return getattr(module, function_name)
    except AttributeError:
        raise FaultException(
            FaultException.HANDLER_NOT_FOUND,
            "Handler '{}' missing on module '{}'".format(function_name, module_name),
        )


def import_user_module(module_name):
    if module_name.split(".")[0] in sys.builtin_module_names:
        raise FaultException(
            FaultException.BUILT_IN_MODULE_CONFLICT,
            "Cannot use built-in module {} as a handler module".format(module_name),
        )
    try:
        # Lambda accepts `pkg/sub/mod` for a module in a subfolder.
        return importlib.import_module(module_name.replace("/", "."))
    except ImportError as e:
        raise FaultException(
            FaultException.IMPORT_MODULE_ERROR,
            "Unable to import module '{}': {}".format(module_name, e),
        )
    except SyntaxError as e:
        trace = ['  File "%s" Line %s\n    %s' % (e.filename, e.lineno, e.text)]
        raise FaultException(
            FaultException.USER_CODE_SYNTAX_ERROR,
            "Syntax error in module '{}': {}".format(module_name, e),
            trace,
        )


# --- The context object ------------------------------------------------------------------


class FunctionInfo:
    """What the context reports from the environment; read once, since it never changes."""

    def __init__(self, environ):
        self.function_name = environ.get("AWS_LAMBDA_FUNCTION_NAME")
        self.function_version = environ.get("AWS_LAMBDA_FUNCTION_VERSION")
        # A string, as awslambdaric gives it: handlers written for Lambda convert it themselves.
        self.memory_limit_in_mb = environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE")
        self.log_group_name = environ.get("AWS_LAMBDA_LOG_GROUP_NAME")
        self.log_stream_name = environ.get("AWS_LAMBDA_LOG_STREAM_NAME")


class LambdaContext:
    """The handler's second argument, with the attributes awslambdaric's context has."""

    def __init__(self, info, request_id, deadline_ms, function_arn, tenant_id,
                 client_context, identity):
        self.aws_request_id = request_id
        self.invoked_function_arn = function_arn
        self.tenant_id = tenant_id
        self.client_context = client_context
        self.identity = identity
        self.function_name = info.function_name
        self.function_version = info.function_version
        self.memory_limit_in_mb = info.memory_limit_in_mb
        self.log_group_name = info.log_group_name
        self.log_stream_name = info.log_stream_name
        self._deadline_ms = deadline_ms

    def get_remaining_time_in_millis(self):
        return max(self._deadline_ms - int(time.time() * 1000), 0)

    def log(self, message):
        sys.stdout.write(str(message))

    def __repr__(self):
        return "LambdaContext([aws_request_id=%s,function_name=%s,function_version=%s])" % (
            self.aws_request_id, self.function_name, self.function_version)


class CognitoIdentity:
    __slots__ = ["cognito_identity_id", "cognito_identity_pool_id"]


class Client:
    __slots__ = ["installation_id", "app_title", "app_version_name", "app_version_code",
                 "app_package_name"]


class ClientContext:
    __slots__ = ["custom", "env", "client"]


def make_context(info, headers):
    client_context = _parse_json_header(headers.get("Lambda-Runtime-Client-Context"),
                                        "Client Context")
    identity = _parse_json_header(headers.get("Lambda-Runtime-Cognito-Identity"),
                                  "Cognito Identity")
    return LambdaContext(
        info,
        headers.get("Lambda-Runtime-Aws-Request-Id"),
        _int_or_none(headers.get("Lambda-Runtime-Deadline-Ms")) or 0,
        headers.get("Lambda-Runtime-Invoked-Function-Arn"),
        headers.get("Lambda-Runtime-Aws-Tenant-Id"),
        _make_client_context(client_context),
        _make_identity(identity),
    )


def _parse_json_header(value, name):
    if not value:
        return None
    try:
        return json.loads(value)
    except ValueError as e:
        raise FaultException(
            FaultException.CONTEXT_UNMARSHAL_ERROR,
            "Unable to parse {} JSON: {}".format(name, e),
        )


def _make_client_context(fields):
    if fields is None:
        return None
    context = _object_from_dict(ClientContext, fields)
    if context.client is not None:
        context.client = _object_from_dict(Client, context.client)
    return context


def _make_identity(fields):
    if fields is None:
        return None
    identity = CognitoIdentity()
    identity.cognito_identity_id = fields.get("cognitoIdentityId")
    identity.cognito_identity_pool_id = fields.get("cognitoIdentityPoolId")
    return identity


def _object_from_dict(cls, fields):
    obj = cls()
    for name in cls.__slots__:
        setattr(obj, name, fields.get(name))
    return obj


def _int_or_none(text):
    try:
        return int(text)
    except (TypeError, ValueError):
        return None


# --- Marshalling ---------------------------------------------------------------------------


def _encode_decimal(obj):
    # awslambdaric serializes Decimal (boto3's DynamoDB numbers) instead of failing. The
    # decimal module is looked up, not imported: a cold start does not pay for it.
    decimal = sys.modules.get("decimal")
    if decimal is not None and isinstance(obj, decimal.Decimal):
        if obj.is_nan():
            return float("nan")
        return int(obj) if obj == obj.to_integral_value() else float(obj)
    raise TypeError("Object of type %s is not JSON serializable" % type(obj).__name__)


def to_json(obj):
    return json.dumps(obj, default=_encode_decimal)


def unmarshal_event(body):
    if not body:
        return None
    try:
        return json.loads(body)
    except ValueError as e:
        raise FaultException(FaultException.UNMARSHAL_ERROR,
                             "Unable to unmarshal input: {}".format(e))


def marshal_response(result):
    if isinstance(result, bytes):
        return result, "application/unknown"
    try:
        return to_json(result).encode("utf-8"), "application/json"
    except Exception as e:
        raise FaultException(FaultException.MARSHAL_ERROR,
                             "Unable to marshal response: {}".format(e))


# --- Errors --------------------------------------------------------------------------------


def make_error(message, error_type, stack_trace, request_id=None):
    return {
        "errorMessage": message or "",
        "errorType": error_type or "",
        "requestId": request_id or "",
        "stackTrace": stack_trace or [],
    }


def fault_error(fault, request_id=None):
    return make_error(fault.message, fault.error_type, fault.trace, request_id)


def exception_error(exc, request_id=None):
    return make_error(str(exc), type(exc).__name__, user_stack_trace(exc.__traceback__),
                      request_id)


def user_stack_trace(tb):
    """The traceback as traceback.format_list gives it, minus this file's leading frames."""
    import traceback  # only when something failed: a cold start does not pay for it

    frames = traceback.extract_tb(tb)
    for i, frame in enumerate(frames):
        if "/bootstrap.py" not in frame.filename:
            frames = frames[i:]
            break
    return traceback.format_list(frames)


def log_error(error):
    """Log the error as awslambdaric does: `[ERROR] Type: message`, then the traceback.

    awslambdaric joins the lines with \\r so CloudWatch keeps them in one event; sluice's log
    is a plain file, so they are written as ordinary lines.
    """
    description = "[ERROR]"
    if error["errorType"]:
        description += " " + error["errorType"]
    if error["errorMessage"]:
        if error["errorType"]:
            description += ":"
        description += " " + error["errorMessage"]
    lines = [description, "Traceback (most recent call last):"]
    for element in error["stackTrace"]:
        lines.extend(element.splitlines() if element else [""])
    sys.stdout.write("\n".join(lines) + "\n")


# --- Logging -------------------------------------------------------------------------------


def setup_logging(logging):
    """Give the root logger Lambda's handler and format, so `logging` output appears as on
    Lambda (without one, a handler's logger.info() would go nowhere)."""

    class RequestIdFilter(logging.Filter):
        def filter(self, record):
            record.aws_request_id = _current_request_id or ""
            return True

    class StdoutHandler(logging.Handler):
        """Writes through whatever sys.stdout is at the time, as awslambdaric's log sink does."""

        def emit(self, record):
            try:
                sys.stdout.write(self.format(record))
            except Exception:
                self.handleError(record)

    logging.Formatter.converter = time.gmtime
    handler = StdoutHandler()
    handler.setFormatter(logging.Formatter(
        "[%(levelname)s]\t%(asctime)s.%(msecs)03dZ\t%(aws_request_id)s\t%(message)s\n",
        "%Y-%m-%dT%H:%M:%S",
    ))
    handler.addFilter(RequestIdFilter())
    logging.getLogger().addHandler(handler)


class LoggingSetupFinder:
    """Sets logging up the moment anything imports it, rather than importing it at start: a
    function that never logs does not pay for the module in its cold start."""

    def find_spec(self, name, path=None, target=None):
        if name != "logging":
            return None
        sys.meta_path.remove(self)
        for finder in sys.meta_path:
            spec = finder.find_spec(name, path, target) if hasattr(finder, "find_spec") else None
            if spec is not None:
                run = spec.loader.exec_module

                def exec_module(module):
                    run(module)
                    setup_logging(module)

                spec.loader.exec_module = exec_module
                return spec
        return None


def setup_logging_on_import():
    if "logging" in sys.modules:
        setup_logging(sys.modules["logging"])
    else:
        sys.meta_path.insert(0, LoggingSetupFinder())


def setup_output():
    # stdout is a file, so block-buffered by default; line buffering keeps the handler's
    # output in time order with sluice's own lines, and flush_output() catches the rest.
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.reconfigure(line_buffering=True)
        except (AttributeError, ValueError):
            pass


def flush_output():
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:
            pass


# --- The loop ------------------------------------------------------------------------------


def handle_invocation(client, handler, info, headers, body):
    global _current_request_id
    request_id = headers.get("Lambda-Runtime-Aws-Request-Id")
    _current_request_id = request_id
    set_trace_id(headers.get("Lambda-Runtime-Trace-Id"))

    error = None
    try:
        context = make_context(info, headers)
        event = unmarshal_event(body)
        payload, content_type = marshal_response(handler(event, context))
    except FaultException as e:
        error = fault_error(e, request_id)
    except Exception as e:
        error = exception_error(e, request_id)

    if error is not None:
        log_error(error)
    # The handler's output must be in the log before sluice sees the invocation end.
    flush_output()
    if error is None:
        client.post_response(request_id, payload, content_type)
    else:
        client.post_error(request_id, error)


def set_trace_id(trace_id):
    if trace_id:
        os.environ["_X_AMZN_TRACE_ID"] = trace_id
    else:
        os.environ.pop("_X_AMZN_TRACE_ID", None)


def init(client, task_root):
    """Import the handler, or report why not to /init/error and exit 1."""
    # sys.path[0] is this script's folder; the function's folder takes its place.
    sys.path[0] = task_root
    try:
        return load_handler(os.environ.get("_HANDLER", ""))
    except FaultException as e:
        error = fault_error(e)
    except Exception as e:
        error = exception_error(e)
    log_error(error)
    flush_output()
    try:
        client.post_init_error(error)
    except RuntimeApiError as e:
        sys.stderr.write("sluice python runtime: %s\n" % e)
    sys.exit(1)


def main():
    setup_output()
    setup_logging_on_import()
    task_root = os.environ.get("LAMBDA_TASK_ROOT") or os.getcwd()
    client = RuntimeClient(os.environ["AWS_LAMBDA_RUNTIME_API"])
    handler = init(client, task_root)
    info = FunctionInfo(os.environ)
    try:
        while True:
            headers, body = client.next_invocation()
            handle_invocation(client, handler, info, headers, body)
    except RuntimeApiError as e:
        flush_output()
        sys.stderr.write("sluice python runtime: %s\n" % e)
        sys.exit(1)


if __name__ == "__main__":
    main()
