#!/usr/bin/env python3
"""An HTTP artifact repository in the Artifactory/Nexus style, for tests and benchmarks:
GET, HEAD and PUT under /artifactory/plugins/, bearer-token auth. With BYTES_PER_SECOND, bodies
are sent at that rate (for tests that stop the server in the middle of a download).
Usage: artifact-server.py PORT ROOT TOKEN [BYTES_PER_SECOND]"""
import os, sys, tempfile, time
from http.server import ThreadingHTTPServer, BaseHTTPRequestHandler

PORT, ROOT, TOKEN = int(sys.argv[1]), sys.argv[2], sys.argv[3]
RATE = int(sys.argv[4]) if len(sys.argv) > 4 else 0
PREFIX = "/artifactory/plugins/"

class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def target(self):
        if not self.path.startswith(PREFIX):
            return None
        relative = self.path[len(PREFIX):].split("?")[0]
        full = os.path.realpath(os.path.join(ROOT, relative))
        return full if full.startswith(os.path.realpath(ROOT) + os.sep) else None

    def authorized(self):
        if self.headers.get("Authorization") == "Bearer " + TOKEN:
            return True
        self.send_response(401)
        self.send_header("WWW-Authenticate", "Bearer")
        self.send_header("Content-Length", "0")
        self.end_headers()
        return False

    def missing(self):
        self.send_response(404)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_HEAD(self):
        self.get(body=False)

    def do_GET(self):
        self.get(body=True)

    def get(self, body):
        if not self.authorized():
            return
        path = self.target()
        if path is None or not os.path.isfile(path):
            return self.missing()
        size = os.path.getsize(path)
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(size))
        self.end_headers()
        if body:
            with open(path, "rb") as f:
                while True:
                    chunk = f.read((RATE // 10) if RATE else (1 << 20))
                    if not chunk:
                        break
                    self.wfile.write(chunk)
                    if RATE:
                        self.wfile.flush()
                        time.sleep(0.1)

    def do_PUT(self):
        if not self.authorized():
            return
        path = self.target()
        if path is None:
            return self.missing()
        length = int(self.headers.get("Content-Length", "0"))
        os.makedirs(os.path.dirname(path), exist_ok=True)
        fd, partial = tempfile.mkstemp(dir=os.path.dirname(path))
        with os.fdopen(fd, "wb") as f:
            remaining = length
            while remaining > 0:
                chunk = self.rfile.read(min(remaining, 1 << 20))
                if not chunk:
                    break
                f.write(chunk)
                remaining -= len(chunk)
        os.replace(partial, path)
        self.send_response(201)
        self.send_header("Content-Length", "0")
        self.end_headers()

ThreadingHTTPServer(("127.0.0.1", PORT), Handler).serve_forever()
