#!/usr/bin/env python3
"""A receiver of hookline deliveries with the standard library only: checks the signature,
drops duplicates by webhook-id, answers at once and does the work after answering.

    HOOKLINE_SECRET=whsec_... python3 receiver.py [PORT]

Listens on 127.0.0.1:PORT (default 8000; 0 picks a free port) behind your TLS proxy and logs
one JSON line per request.
"""
import base64
import collections
import hashlib
import hmac
import http.server
import json
import os
import queue
import sys
import threading
import time

TOLERANCE_SECONDS = 300  # refuse a timestamp further than this from our clock, either way
MAX_BODY_BYTES = 512 * 1024  # hookline sends at most a 256 KiB payload plus a small envelope
REMEMBERED_IDS = 100_000  # retries span about a day; see remember() for several processes


def verify(secret, headers, body, now=None):
    """None when the delivery is genuine, else why not. `body` is the raw bytes received."""
    msg_id = headers.get("webhook-id")
    stamp = headers.get("webhook-timestamp")
    signatures = headers.get("webhook-signature")
    if not msg_id or not stamp or not signatures:
        return "missing headers"
    try:
        sent_at = int(stamp)
    except ValueError:
        return "bad timestamp"
    # Every attempt is signed anew, so even a retry sent hours later is fresh; an old one is a
    # replay.
    if abs((time.time() if now is None else now) - sent_at) > TOLERANCE_SECONDS:
        return "stale timestamp"
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"{msg_id}.{stamp}.".encode() + body
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    # During a secret rotation the header holds two signatures, space separated: any match
    # will do. compare_digest takes the same time wherever the strings differ.
    for candidate in signatures.split(" "):
        version, _, value = candidate.partition(",")
        if version == "v1" and hmac.compare_digest(value, expected):
            return None
    return "bad signature"


class RecentIds:
    """The newest webhook-ids, oldest dropped first. Several receiver processes need a shared
    store instead, e.g. Redis `SET seen:<id> 1 NX EX 172800`."""

    def __init__(self, limit):
        self._ids = collections.OrderedDict()
        self._limit = limit
        self._lock = threading.Lock()

    def remember(self, msg_id):
        """True the first time an id is seen."""
        with self._lock:
            if msg_id in self._ids:
                return False
            self._ids[msg_id] = True
            if len(self._ids) > self._limit:
                self._ids.popitem(last=False)
            return True


SECRET = os.environ.get("HOOKLINE_SECRET", "")
RECENT = RecentIds(REMEMBERED_IDS)
WORK = queue.Queue()
LOG_LOCK = threading.Lock()  # the request threads and the worker log; one whole line at a time


def log(**fields):
    with LOG_LOCK:
        print(json.dumps(fields), flush=True)


def worker():
    """The slow part (database writes, calls to other services) runs here, after the answer, so
    hookline's 15 s attempt limit is never at stake. A real receiver uses a durable queue."""
    while True:
        event = WORK.get()
        log(verdict="processed", webhook_id=event["id"], type=event["type"])


class Handler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY_BYTES:
            self.close_connection = True
            return self.answer(413, verdict="rejected", reason="body too large")
        body = self.rfile.read(length)
        headers = {name.lower(): value for name, value in self.headers.items()}
        problem = verify(SECRET, headers, body)
        if problem:
            return self.answer(401, verdict="rejected", reason=problem)
        msg_id = headers["webhook-id"]
        if not RECENT.remember(msg_id):
            # Accepted once already (a retry whose first answer was lost, or a re-sent event):
            # answer 2xx so hookline stops, and do nothing.
            return self.answer(204, verdict="duplicate", webhook_id=msg_id)
        event = json.loads(body)
        WORK.put(event)
        self.answer(204, verdict="accepted", webhook_id=msg_id, type=event["type"])

    def answer(self, status, **fields):
        log(**fields)
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass  # one JSON line per request is logged by answer()


def main():
    if not SECRET.startswith("whsec_"):
        sys.exit("set HOOKLINE_SECRET to the channel's whsec_ secret")
    threading.Thread(target=worker, daemon=True).start()
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", int(sys.argv[1]) if len(sys.argv) > 1 else 8000), Handler)
    log(listening=server.server_address[1])
    server.serve_forever()


if __name__ == "__main__":
    main()
