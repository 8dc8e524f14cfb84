#!/usr/bin/env python3
"""A hostile endpoint for bench/probes.sh: serves pre-generated responses.

usage: hostile.py ROUTES_JSON PORT_FILE LOG_FILE [--port N] [--lifetime SECONDS]

ROUTES_JSON maps a request path (without query) to
{"status": 200, "type": "application/json", "file": "body file"}; any
method is answered the same. An unknown path is a 404. Every request is
logged to LOG_FILE as "METHOD PATH" before it is answered, so a probe can
tell whether something was sent. The port it listens on (0 = any free one)
is written to PORT_FILE once it listens. It exits after --lifetime seconds
(default 900) or on SIGTERM/SIGINT.
"""

import argparse
import json
import os
import signal
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("routes")
    ap.add_argument("port_file")
    ap.add_argument("log_file")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--lifetime", type=float, default=900)
    a = ap.parse_args()

    base = os.path.dirname(os.path.abspath(a.routes))
    with open(a.routes) as f:
        routes = json.load(f)
    log = open(a.log_file, "a", buffering=1)
    log_lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def answer(self):
            path = self.path.split("?", 1)[0]
            with log_lock:
                log.write(f"{self.command} {self.path}\n")
            n = int(self.headers.get("content-length") or 0)
            if n:
                self.rfile.read(n)
            r = routes.get(path)
            if r is None:
                body = json.dumps({"message": f"no route {path}"}).encode()
                self.send_response(404)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                return
            file = os.path.join(base, r["file"])
            size = os.path.getsize(file)
            self.send_response(r.get("status", 200))
            self.send_header("content-type", r.get("type", "application/json"))
            self.send_header("content-length", str(size))
            self.end_headers()
            if self.command == "HEAD":
                return
            self.wfile.flush()
            with open(file, "rb") as f:
                try:
                    self.connection.sendfile(f)
                except (BrokenPipeError, ConnectionResetError):
                    self.close_connection = True

        do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = answer

    class Server(ThreadingHTTPServer):
        daemon_threads = True
        request_queue_size = 128

        def handle_error(self, request, client_address):
            # A client that gives up mid-response (a probe stopped by its
            # time limit) is expected; anything else is worth a line.
            exc = sys.exc_info()[1]
            if not isinstance(exc, (ConnectionError, TimeoutError)):
                sys.stderr.write(f"hostile.py: {client_address}: {exc!r}\n")

    srv = Server(("127.0.0.1", a.port), Handler)
    tmp = a.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write(str(srv.server_address[1]))
    os.replace(tmp, a.port_file)

    def stop(*_):
        threading.Thread(target=srv.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    timer = threading.Timer(a.lifetime, stop)
    timer.daemon = True
    timer.start()
    srv.serve_forever()
    sys.exit(0)


if __name__ == "__main__":
    main()
