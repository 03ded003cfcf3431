// Verifies captured hookline deliveries with the public `standardwebhooks` package.
// Input (file named by argv[2]): {"secrets": ["whsec_..."], "requests": [{"id", "timestamp",
// "signature", "body"}]}. Each request must verify with every listed secret.
// Output: one JSON line {"verified": N, "failures": [{index, secret, error}]}.
"use strict";
const fs = require("fs");
const { Webhook } = require("standardwebhooks");

const input = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
let verified = 0;
const failures = [];
input.requests.forEach((request, index) => {
  for (const secret of input.secrets) {
    try {
      new Webhook(secret).verify(request.body, {
        "webhook-id": request.id,
        "webhook-timestamp": request.timestamp,
        "webhook-signature": request.signature,
      });
      verified += 1;
    } catch (error) {
      failures.push({ index, secret: secret.slice(0, 10) + "...", error: String(error) });
    }
  }
});
process.stdout.write(JSON.stringify({ verified, failures }) + "\n");
