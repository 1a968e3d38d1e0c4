"""A client for the proofs, run inside a namespace: `python netprobe.py '<json spec>'` prints JSON.

Standard library only (it runs under `ip netns exec`). Every loop is bounded by the
spec's `count` (at most 500) and every socket has a timeout.

Operations (spec["op"]):
  http  method, path, host_header, port, tls, sni, ca, headers, count -> [{status, headers, body} | {error}]
  ws    an upgrade to /ws, then the first frame                       -> {status, headers, frame} | {error}
  tls   a bare handshake with min/max protocol version                 -> {ok, version} | {ok: false, error}
  tcp   a connection attempt                                           -> {result: open|refused|timeout|unreachable}
"""

from __future__ import annotations

import base64
import http.client
import json
import os
import socket
import ssl
import sys

TIMEOUT = 5.0
MAX_COUNT = 500
VERSIONS = {"1.0": ssl.TLSVersion.TLSv1, "1.1": ssl.TLSVersion.TLSv1_1, "1.2": ssl.TLSVersion.TLSv1_2,
            "1.3": ssl.TLSVersion.TLSv1_3}


def tls_context(spec: dict) -> ssl.SSLContext:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    if spec.get("ca"):
        ctx.load_verify_locations(spec["ca"])
    else:
        ctx.load_default_certs()
    if "min" in spec:
        ctx.minimum_version = VERSIONS[spec["min"]]
    if "max" in spec:
        ctx.maximum_version = VERSIONS[spec["max"]]
    if spec.get("min") in ("1.0", "1.1"):
        # OpenSSL 3 refuses TLS 1.0/1.1 at its default security level: lower it so that
        # the client really offers them, and a refusal is the server's.
        ctx.set_ciphers("DEFAULT@SECLEVEL=0")
    return ctx


def connect(spec: dict) -> socket.socket:
    sock = socket.create_connection((spec["address"], spec.get("port", 443 if spec.get("tls") else 80)),
                                    timeout=TIMEOUT)
    if spec.get("tls"):
        sock = tls_context(spec).wrap_socket(sock, server_hostname=spec.get("sni") or spec.get("host_header"))
    return sock


def http_once(spec: dict) -> dict:
    try:
        conn = http.client.HTTPConnection(spec["address"], timeout=TIMEOUT)
        conn.sock = connect(spec)
        headers = {"Host": spec.get("host_header", spec["address"]), **spec.get("headers", {})}
        body = spec.get("body")
        conn.request(spec.get("method", "GET"), spec.get("path", "/"), body=body, headers=headers)
        response = conn.getresponse()
        data = response.read(4096)
        conn.close()
        return {"status": response.status, "headers": {k.lower(): v for k, v in response.getheaders()},
                "body": data.decode("utf-8", "replace")}
    except (OSError, http.client.HTTPException) as exc:
        return {"error": f"{type(exc).__name__}: {exc}"}


def op_http(spec: dict) -> list[dict]:
    return [http_once(spec) for _ in range(min(int(spec.get("count", 1)), MAX_COUNT))]


def op_ws(spec: dict) -> dict:
    try:
        sock = connect(spec)
        key = base64.b64encode(os.urandom(16)).decode()
        extra = "".join(f"{k}: {v}\r\n" for k, v in spec.get("headers", {}).items())
        request = (f"GET {spec.get('path', '/ws')} HTTP/1.1\r\nHost: {spec['host_header']}\r\nUpgrade: websocket\r\n"
                   f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n{extra}\r\n")
        sock.sendall(request.encode())
        buffer = b""
        while b"\r\n\r\n" not in buffer and len(buffer) < 65536:
            chunk = sock.recv(4096)
            if not chunk:
                break
            buffer += chunk
        head, _, rest = buffer.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        if not lines or not lines[0].startswith("HTTP/"):
            return {"error": f"no HTTP answer: {buffer[:200]!r}"}
        status = int(lines[0].split()[1])
        headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
        frame = ""
        if status == 101:
            while len(rest) < 2:
                rest += sock.recv(4096)
            length = rest[1] & 0x7F
            offset = 2
            if length == 126:
                while len(rest) < 4:
                    rest += sock.recv(4096)
                length, offset = int.from_bytes(rest[2:4], "big"), 4
            while len(rest) < offset + length:
                rest += sock.recv(4096)
            frame = rest[offset:offset + length].decode("utf-8", "replace")
        sock.close()
        return {"status": status, "headers": headers, "frame": frame}
    except OSError as exc:
        return {"error": f"{type(exc).__name__}: {exc}"}


def op_tls(spec: dict) -> dict:
    try:
        sock = connect({**spec, "tls": True})
        version = sock.version()
        sock.close()
        return {"ok": True, "version": version}
    except (OSError, ssl.SSLError) as exc:
        return {"ok": False, "error": f"{type(exc).__name__}: {exc}"}


def op_tcp(spec: dict) -> dict:
    try:
        with socket.create_connection((spec["address"], spec["port"]), timeout=spec.get("timeout", 2.0)):
            return {"result": "open"}
    except ConnectionRefusedError:
        return {"result": "refused"}
    except TimeoutError:
        return {"result": "timeout"}
    except OSError as exc:
        return {"result": "unreachable", "error": str(exc)}


def main() -> None:
    spec = json.loads(sys.argv[1])
    operation = {"http": op_http, "ws": op_ws, "tls": op_tls, "tcp": op_tcp}[spec["op"]]
    print(json.dumps(operation(spec)))


if __name__ == "__main__":
    main()
