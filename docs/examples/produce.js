// Appends one event to hookline's stream with the ioredis package.
//
//   node produce.js CHANNEL_ID TYPE PAYLOAD_FILE [EVENT_ID]
//
// Prints the stream and the new entry's id. HOOKLINE_REDIS_URL (default
// redis://127.0.0.1:6379) and HOOKLINE_STREAM (default hookline:events) say where;
// HOOKLINE_SHARDS=N spreads channels over the streams HOOKLINE_STREAM:0 .. HOOKLINE_STREAM:N-1.
"use strict";
const crypto = require("crypto");
const fs = require("fs");
const zlib = require("zlib");
const Redis = require("ioredis");

const EVENT_TYPES = new Set([
  "message_incoming", "message_outgoing", "message_status", "template_update", "channel_update",
]);
const CHANNEL_ID = /^[A-Za-z0-9_.-]{1,128}$/;
const EVENT_ID = /^[A-Za-z0-9_-]{1,128}$/;
const MAX_PAYLOAD_BYTES = 256 * 1024; // hookline's default limit

// The stream entry's fields, as a flat list. Checks what hookline checks, so a mistake fails
// here instead of ending in the dead-letter stream.
function entryFields(type, channelId, payload, eventId, occurredAtMs) {
  if (!EVENT_TYPES.has(type)) throw new Error(`unknown event type ${type}`);
  if (!CHANNEL_ID.test(channelId)) throw new Error("channel_id must be 1 to 128 of [A-Za-z0-9_.-]");
  if (!EVENT_ID.test(eventId)) throw new Error("event_id must be 1 to 128 of [A-Za-z0-9_-]");
  if (payload === null || typeof payload !== "object" || Array.isArray(payload)) {
    throw new Error("payload must be a JSON object");
  }
  const text = JSON.stringify(payload);
  if (Buffer.byteLength(text) > MAX_PAYLOAD_BYTES) throw new Error("payload is over 256 KiB");
  return ["type", type, "channel_id", channelId, "payload", text,
          "event_id", eventId, "occurred_at", String(occurredAtMs)];
}

// Every producer must pick the same shard for a channel: CRC-32 of the id, modulo N.
function streamFor(channelId, base, shards) {
  return shards <= 1 ? base : `${base}:${zlib.crc32(channelId) % shards}`;
}

async function main() {
  const [channelId, type, payloadFile, givenId] = process.argv.slice(2);
  // Your own id for the event (the message id, say) makes the XADD safe to repeat: a copy
  // added by a retried call carries the same webhook-id, and the receiver drops it.
  const eventId = givenId ?? `evt_${crypto.randomUUID().replaceAll("-", "")}`;
  const payload = JSON.parse(fs.readFileSync(payloadFile, "utf8"));

  // ioredis reconnects and re-sends a command after a dropped connection, up to
  // maxRetriesPerRequest times.
  const redis = new Redis(process.env.HOOKLINE_REDIS_URL ?? "redis://127.0.0.1:6379", {
    maxRetriesPerRequest: 3,
  });
  try {
    const stream = streamFor(channelId, process.env.HOOKLINE_STREAM ?? "hookline:events",
                             Number(process.env.HOOKLINE_SHARDS ?? "1"));
    const entryId = await redis.xadd(stream, "*",
                                     ...entryFields(type, channelId, payload, eventId, Date.now()));
    console.log(stream, entryId);
  } finally {
    redis.disconnect();
  }
}

main().catch((error) => {
  console.error(error.message);
  process.exit(1);
});
