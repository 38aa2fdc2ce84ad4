#!/usr/bin/env python3
"""Independent check of `carrier serve`'s customer webhooks with the `standardwebhooks` package (PyPI).

Starts the built `carrier serve` with a small carrier definition, a mock carrier and a webhook receiver (all on
127.0.0.1), subscribes an endpoint, sends a message with a callbackUrl, posts an inbound message, a STOP and a
delivery report, and verifies every delivery the receiver got with standardwebhooks' own Webhook.verify. Also
checks that a tampered body or a wrong secret fails. Exits non-zero on any problem.

Usage: scripts/verify_webhooks.py [--binary .build/debug/carrier] [--record DIR]
"""
import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from standardwebhooks import Webhook, WebhookVerificationError

DEFINITION = """formatVersion: 1
id: hooktest
name: Webhook test carrier
channels: [sms]
settings:
  base_url: { type: url }
send:
  method: POST
  url: "{{ settings.base_url }}/messages"
  format: json
  body: { to: "{{ message.to }}", text: "{{ message.body }}", ref: "{{ message.reference }}" }
response:
  messageId: id
inbound:
  format: json
  events:
    - type: message
      when: { path: type, equals: mo }
      fields: { from: from, to: to, text: text, providerMessageId: id }
    - type: status
      when: { path: type, equals: status }
      fields: { providerMessageId: id, status: state }
statuses:
  map: { delivered: delivered }
  default: failed
"""

API_KEY = "verify-webhooks-key"
TOKEN = "verify-webhooks-token-0123456789"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Recorder(BaseHTTPRequestHandler):
    received = []
    lock = threading.Lock()

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        if self.path.startswith("/messages"):
            answer = json.dumps({"id": "p-%d" % (len(Recorder.received) + 1000)}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)
            return
        with Recorder.lock:
            Recorder.received.append((self.path, {k.lower(): v for k, v in self.headers.items()}, body))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


def call(base, method, path, payload=None, key=API_KEY):
    data = json.dumps(payload).encode() if payload is not None else None
    request = urllib.request.Request(base + path, data=data, method=method)
    request.add_header("Content-Type", "application/json")
    if key:
        request.add_header("x-api-key", key)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", default=".build/debug/carrier")
    parser.add_argument("--record", help="also write every verified delivery to this directory")
    args = parser.parse_args()

    mock = ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    threading.Thread(target=mock.serve_forever, daemon=True).start()
    mock_url = "http://127.0.0.1:%d" % mock.server_address[1]

    work = tempfile.mkdtemp(prefix="verify-webhooks-")
    os.makedirs(os.path.join(work, "carriers", "hooktest"))
    with open(os.path.join(work, "carriers", "hooktest", "carrier.yaml"), "w") as f:
        f.write(DEFINITION)
    port = free_port()
    base = "http://127.0.0.1:%d" % port
    config = {
        "host": "127.0.0.1", "port": port, "databasePath": os.path.join(work, "carrier.sqlite"),
        "publicBaseURL": base,
        "apiKeys": {"literal:" + API_KEY: {"account": "default", "scopes": ["messaging", "admin"]}},
        "secretsKey": "literal:" + "ab" * 32,
        "channels": [{"id": "h1", "account": "default", "channel": "sms", "provider": "hooktest",
                      "address": "+15550001111", "inboundToken": "literal:" + TOKEN,
                      "settings": {"base_url": mock_url}}],
        "carrierHosts": ["127.0.0.1"], "allowPrivateCarrierTargets": True, "allowPrivateWebhookTargets": True,
        "webhookRetrySeconds": [0.2, 0.2],
    }
    with open(os.path.join(work, "config.json"), "w") as f:
        json.dump(config, f)
    server = subprocess.Popen(
        [args.binary, "serve", "--config", os.path.join(work, "config.json"), "--carriers",
         os.path.join(work, "carriers"), "--log-level", "warning"])
    problems = []
    try:
        for _ in range(200):
            try:
                if call(base, "GET", "/health", key=None)[0] == 200:
                    break
            except OSError:
                time.sleep(0.05)
        status, endpoint = call(base, "POST", "/webhooks", {
            "url": mock_url + "/hook", "events": ["message.received", "message.status", "optout.changed"]})
        assert status == 201, (status, endpoint)
        endpoint_secret = endpoint["secret"]
        status, callback = call(base, "GET", "/webhooks/callback-secret")
        assert status == 200, (status, callback)
        callback_secret = callback["secret"]

        status, sent = call(base, "POST", "/send", {
            "channelId": "h1", "to": "+15551230000", "body": "hello", "callbackUrl": mock_url + "/callback"})
        assert status == 200, (status, sent)
        inbound = "/inbound/default/h1/" + TOKEN
        for event in [{"type": "mo", "from": "+15557654321", "text": "hi there", "id": "mo-1"},
                      {"type": "status", "id": sent["providerMessageId"], "state": "delivered"},
                      {"type": "mo", "from": "+15557654321", "text": "STOP", "id": "mo-2"}]:
            status, _ = call(base, "POST", inbound, event, key=None)
            assert status == 200, status
        expected = 7  # endpoint: received x2, sent, delivered, optout.changed; callbackUrl: sent, delivered
        deadline = time.time() + 15
        while time.time() < deadline and len(Recorder.received) < expected:
            time.sleep(0.05)
        deliveries = list(Recorder.received)
        if len(deliveries) != expected:
            problems.append("expected %d deliveries, got %d" % (expected, len(deliveries)))
        types = []
        for index, (path, headers, body) in enumerate(deliveries):
            secret = endpoint_secret if path == "/hook" else callback_secret
            try:
                payload = Webhook(secret).verify(body, headers)
            except WebhookVerificationError as error:
                problems.append("%s delivery %d does not verify: %s" % (path, index, error))
                continue
            types.append((path, payload["type"], payload["data"].get("status") or payload["data"].get("keyword")))
            for bad_body, bad_secret in [(body + b" ", secret), (body, callback_secret if secret == endpoint_secret
                                                                  else endpoint_secret)]:
                try:
                    Webhook(bad_secret).verify(bad_body, headers)
                    problems.append("%s delivery %d verified with a wrong body or secret" % (path, index))
                except WebhookVerificationError:
                    pass
            if args.record:
                os.makedirs(args.record, exist_ok=True)
                with open(os.path.join(args.record, "delivery-%02d.json" % index), "w") as f:
                    json.dump({"path": path, "headers": headers, "body": body.decode()}, f, indent=1)
        want = sorted([("/hook", "message.received", "received"), ("/hook", "message.received", "received"),
                       ("/hook", "message.status", "sent"), ("/hook", "message.status", "delivered"),
                       ("/hook", "optout.changed", "stop"), ("/callback", "message.status", "sent"),
                       ("/callback", "message.status", "delivered")])
        if sorted(types) != want:
            problems.append("events differ: %s" % sorted(types))
        print("verified %d deliveries with standardwebhooks: %s" % (len(types), sorted(types)))
    finally:
        server.terminate()
        server.wait(timeout=30)
        mock.shutdown()
    for problem in problems:
        print("error: " + problem, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
