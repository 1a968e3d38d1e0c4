"""A stand-in for Authelia's two authorization endpoints and its portal, for the login proofs.

Authelia 4.38+ answers nginx's auth_request at /api/authz/auth-request (401 plus a
Location to the portal when nobody is signed in) and Caddy's forward_auth at
/api/authz/forward-auth (a 302 to the portal). Here "signed in" means the cookie
`authelia_session=signed-in`; every request is printed as one JSON line.

Usage: python authdouble.py PORT
"""

from __future__ import annotations

import json
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import quote

PORTAL = "https://auth.example.com/"
SESSION = "authelia_session=signed-in"


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args) -> None:  # one JSON line per request instead
        return

    def answer(self, status: int, headers: dict[str, str], body: str = "") -> None:
        data = body.encode()
        self.send_response(status)
        for key, value in headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
        print(json.dumps({"auth": self.path, "status": status, "cookie": self.headers.get("Cookie", ""),
                          "original": self.headers.get("X-Original-URL", "")
                          or f"{self.headers.get('X-Forwarded-Proto', '')}://{self.headers.get('X-Forwarded-Host', '')}"
                             f"{self.headers.get('X-Forwarded-Uri', '')}"}), flush=True)

    def do_GET(self) -> None:
        signed_in = SESSION in self.headers.get("Cookie", "")
        if self.path.startswith("/api/authz/auth-request"):
            target = self.headers.get("X-Original-URL", "")
            if signed_in:
                self.answer(200, {"Remote-User": "reader"})
            else:
                self.answer(401, {"Location": f"{PORTAL}?rd={quote(target, safe='')}"})
        elif self.path.startswith("/api/authz/forward-auth"):
            target = (f"{self.headers.get('X-Forwarded-Proto', '')}://{self.headers.get('X-Forwarded-Host', '')}"
                      f"{self.headers.get('X-Forwarded-Uri', '')}")
            if signed_in:
                self.answer(200, {"Remote-User": "reader"})
            else:
                self.answer(302, {"Location": f"{PORTAL}?rd={quote(target, safe='')}"})
        else:
            self.answer(200, {"Content-Type": "text/html"}, "<title>Authelia login portal</title>")

    do_HEAD = do_GET
    do_POST = do_GET
    do_PUT = do_GET
    do_DELETE = do_GET


if __name__ == "__main__":
    server = ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler)
    print(json.dumps({"auth": "listening"}), flush=True)
    server.serve_forever()
