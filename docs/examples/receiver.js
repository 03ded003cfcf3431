// A receiver of hookline deliveries: checks the signature with the standardwebhooks package,
// drops duplicates by webhook-id, answers at once and does the work after answering.
//
//   HOOKLINE_SECRET=whsec_... node receiver.js [PORT]
//
// Listens on 127.0.0.1:PORT (default 8000; 0 picks a free port) behind your TLS proxy and logs
// one JSON line per request.
"use strict";
const http = require("http");
const { Webhook } = require("standardwebhooks");

// hookline's largest delivery is a 256 KiB payload plus a small envelope.
const MAX_BODY_BYTES = 512 * 1024;
// Retries of one event span about a day (5 s ... 12 h); remember ids at least that long. One
// process keeps them in memory; several behind a load balancer need a shared store, e.g. Redis
// `SET seen:<id> 1 NX EX 172800`.
const REMEMBERED_IDS = 100000;

const webhook = new Webhook(process.env.HOOKLINE_SECRET); // "whsec_..."
const seen = new Map(); // webhook-id -> true, oldest first
const queue = [];

function log(fields) {
  console.log(JSON.stringify(fields));
}

// The library throws these messages; a receiver wants to know which rule failed.
function reasonOf(error) {
  const message = String(error.message);
  if (message.startsWith("Message timestamp")) return "stale timestamp";
  if (message === "Missing required headers") return "missing headers";
  return "bad signature";
}

function firstSeen(id) {
  if (seen.has(id)) return false;
  seen.set(id, true);
  if (seen.size > REMEMBERED_IDS) seen.delete(seen.keys().next().value);
  return true;
}

// The slow part (database writes, calls to other services) runs after the answer, so hookline's
// 15 s attempt limit is never at stake. A real receiver puts the event in a durable queue.
function drainQueue() {
  while (queue.length > 0) {
    const event = queue.shift();
    log({ verdict: "processed", webhook_id: event.id, type: event.type });
  }
}

function answer(response, status, fields) {
  log(fields);
  response.writeHead(status).end();
}

function onDelivery(request, response, body) {
  let event;
  try {
    // The raw bytes as received: the signature covers them, not a re-serialised object.
    event = webhook.verify(body, request.headers);
  } catch (error) {
    answer(response, 401, { verdict: "rejected", reason: reasonOf(error) });
    return;
  }
  const id = request.headers["webhook-id"];
  if (!firstSeen(id)) {
    // Already accepted once (a retry whose first answer was lost, or a re-sent event):
    // answer 2xx so hookline stops, and do nothing.
    answer(response, 204, { verdict: "duplicate", webhook_id: id });
    return;
  }
  queue.push(event);
  setImmediate(drainQueue);
  answer(response, 204, { verdict: "accepted", webhook_id: id, type: event.type });
}

const server = http.createServer((request, response) => {
  if (request.method !== "POST") {
    response.writeHead(405, { Allow: "POST" }).end();
    return;
  }
  const chunks = [];
  let size = 0;
  request.on("data", (chunk) => {
    size += chunk.length;
    if (size <= MAX_BODY_BYTES) chunks.push(chunk); // past the limit, read on but keep nothing
  });
  request.on("end", () => {
    if (size > MAX_BODY_BYTES) {
      answer(response, 413, { verdict: "rejected", reason: "body too large" });
      return;
    }
    onDelivery(request, response, Buffer.concat(chunks));
  });
});

server.listen(Number(process.argv[2] ?? 8000), "127.0.0.1", () => {
  log({ listening: server.address().port });
});
