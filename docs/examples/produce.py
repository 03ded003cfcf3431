#!/usr/bin/env python3
"""Appends one event to hookline's stream with redis-py (Debian: python3-redis).

    produce.py CHANNEL_ID TYPE PAYLOAD_FILE [EVENT_ID]

Prints the stream and the new entry's id. HOOKLINE_REDIS_URL (default redis://127.0.0.1:6379)
and HOOKLINE_STREAM (default hookline:events) say where; HOOKLINE_SHARDS=N spreads channels
over the streams HOOKLINE_STREAM:0 .. HOOKLINE_STREAM:N-1.
"""
import json
import os
import re
import sys
import time
import uuid
import zlib

import redis

EVENT_TYPES = {"message_incoming", "message_outgoing", "message_status", "template_update",
               "channel_update"}
CHANNEL_ID = re.compile(r"[A-Za-z0-9_.-]{1,128}")
EVENT_ID = re.compile(r"[A-Za-z0-9_-]{1,128}")
MAX_PAYLOAD_BYTES = 256 * 1024  # hookline's default limit


def entry_fields(event_type, channel_id, payload, event_id, occurred_at_ms):
    """The stream entry's fields. Checks what hookline checks, so a mistake fails here instead
    of ending in the dead-letter stream."""
    if event_type not in EVENT_TYPES:
        raise ValueError(f"unknown event type {event_type!r}")
    if not CHANNEL_ID.fullmatch(channel_id):
        raise ValueError("channel_id must be 1 to 128 letters, digits, '_', '-' or '.'")
    if not EVENT_ID.fullmatch(event_id):
        raise ValueError("event_id must be 1 to 128 letters, digits, '_' or '-'")
    if not isinstance(payload, dict):
        raise ValueError("payload must be a JSON object")
    text = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
    if len(text.encode("utf-8")) > MAX_PAYLOAD_BYTES:
        raise ValueError("payload is over 256 KiB")
    return {"type": event_type, "channel_id": channel_id, "payload": text,
            "event_id": event_id, "occurred_at": str(occurred_at_ms)}


def stream_for(channel_id, base, shards):
    """Every producer must pick the same shard for a channel: CRC-32 of the id, modulo N."""
    if shards <= 1:
        return base
    return f"{base}:{zlib.crc32(channel_id.encode('utf-8')) % shards}"


def publish(client, stream, fields, attempts=3):
    """XADDs the entry, trying again after a connection error or timeout. A failed try may
    still have added the entry; the second copy carries the same event_id, so the receiver
    sees one webhook-id twice and drops the duplicate."""
    for attempt in range(1, attempts + 1):
        try:
            return client.xadd(stream, fields)
        except (redis.ConnectionError, redis.TimeoutError):
            if attempt == attempts:
                raise
            time.sleep(0.2 * 2 ** attempt)


def main():
    channel_id, event_type, payload_file = sys.argv[1:4]
    # Your own id for the event (the message id, say) makes the XADD safe to repeat.
    event_id = sys.argv[4] if len(sys.argv) > 4 else f"evt_{uuid.uuid4().hex}"
    with open(payload_file, encoding="utf-8") as f:
        payload = json.load(f)

    client = redis.Redis.from_url(os.environ.get("HOOKLINE_REDIS_URL", "redis://127.0.0.1:6379"),
                                  socket_timeout=5)
    stream = stream_for(channel_id, os.environ.get("HOOKLINE_STREAM", "hookline:events"),
                        int(os.environ.get("HOOKLINE_SHARDS", "1")))
    fields = entry_fields(event_type, channel_id, payload, event_id, int(time.time() * 1000))
    entry_id = publish(client, stream, fields)
    print(stream, entry_id.decode())


if __name__ == "__main__":
    main()
