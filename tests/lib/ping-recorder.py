# A receiver for the seeds' pings (tests/e2e/seeds.sh): answers 200 "OK" to any method and path, as Healthchecks'
# ping API and Uptime Kuma's push API do, and appends each request to FILE as one JSON line (method, path, body).
# No Healthchecks or Uptime Kuma server is installable here. Usage: python3 ping-recorder.py PORT FILE
import json
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

port, path = int(sys.argv[1]), sys.argv[2]


class Recorder(BaseHTTPRequestHandler):
    def answer(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode("utf-8", "replace") if length else ""
        with open(path, "a", encoding="utf-8") as out:
            out.write(json.dumps({"method": self.command, "path": self.path, "body": body}) + "\n")
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"OK")

    do_GET = do_POST = do_HEAD = answer

    def log_message(self, *args):
        pass


ThreadingHTTPServer(("127.0.0.1", port), Recorder).serve_forever()
