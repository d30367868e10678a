#!/usr/bin/env python3
"""A stand-in for oauth2-proxy, for screenshots and manual tries: forwards every request to
Switchboard and adds X-Forwarded-User, -Groups and -Email, as an authenticating proxy would.
Usage: auth-proxy.py LISTEN_PORT UPSTREAM_PORT USER GROUPS EMAIL"""
import http.client, sys
from http.server import ThreadingHTTPServer, BaseHTTPRequestHandler

PORT, UPSTREAM, USER, GROUPS, EMAIL = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]

class Proxy(BaseHTTPRequestHandler):
    def forward(self):
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length) if length else None
        headers = {k: v for k, v in self.headers.items() if not k.lower().startswith("x-forwarded-")}
        headers.update({"X-Forwarded-User": USER, "X-Forwarded-Groups": GROUPS, "X-Forwarded-Email": EMAIL})
        upstream = http.client.HTTPConnection("127.0.0.1", UPSTREAM, timeout=30)
        upstream.request(self.command, self.path, body=body, headers=headers)
        response = upstream.getresponse()
        data = response.read()
        self.send_response(response.status)
        for key, value in response.getheaders():
            if key.lower() not in ("transfer-encoding", "connection", "content-length"):
                self.send_header(key, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = forward

ThreadingHTTPServer(("127.0.0.1", PORT), Proxy).serve_forever()
