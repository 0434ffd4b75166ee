// Receiver-side signature verification examples, for the signing mode the
// server runs in (PORTAL_CONFIGS.WEBHOOK_MODE / SIGNATURE_HEADER):
//   default   <SIGNATURE_HEADER>: v0=<hex HMAC-SHA256(secret, raw body)>[,<hex>...]
//   standard  Standard Webhooks: webhook-id, webhook-timestamp (unix s) and
//             webhook-signature: "v1,<base64>" entries separated by spaces,
//             HMAC-SHA256 of "<id>.<timestamp>.<raw body>" keyed with the
//             base64-decoded part of the secret after "whsec_".

/**
 * What receivers must check, from the portal config.
 * {mode: 'default'|'standard', signature: header name or null (not signed),
 *  id, timestamp: the standard-mode header names, prefix: their prefix}.
 */
export function signing(cfg = {}) {
  if (cfg.WEBHOOK_MODE === 'standard') {
    const signature = cfg.SIGNATURE_HEADER || 'webhook-signature';
    const prefix = signature.endsWith('signature') ? signature.slice(0, -'signature'.length) : 'webhook-';
    return { mode: 'standard', signature, prefix, id: `${prefix}id`, timestamp: `${prefix}timestamp` };
  }
  // A server too old to say keeps the historical header; null = disabled.
  const signature = cfg.SIGNATURE_HEADER === undefined ? 'x-outpost-signature' : cfg.SIGNATURE_HEADER;
  return { mode: 'default', signature: signature || null };
}

// ---------- default mode ----------

const nodeDefault = (header) => `import { createHmac, timingSafeEqual } from 'node:crypto';
import express from 'express';

const secret = process.env.WEBHOOK_SECRET; // whsec_...
const app = express();

// Keep the raw body: the signature covers the exact bytes received.
app.post('/webhooks', express.raw({ type: 'application/json' }), (req, res) => {
  const header = req.get('${header}') || '';
  const expected = createHmac('sha256', secret).update(req.body).digest();
  const valid = header.replace(/^v0=/, '').split(',').some((sig) => {
    const got = Buffer.from(sig.trim(), 'hex');
    return got.length === expected.length && timingSafeEqual(got, expected);
  });
  if (!valid) return res.status(401).send('invalid signature');

  const event = JSON.parse(req.body.toString('utf8'));
  console.log(req.get('x-outpost-topic'), req.get('x-outpost-event-id'), event);
  res.sendStatus(200);
});

app.listen(3000);
`;

const pythonDefault = (header) => `import hashlib
import hmac
import os

from flask import Flask, abort, request

SECRET = os.environ["WEBHOOK_SECRET"].encode()  # whsec_...
app = Flask(__name__)


@app.post("/webhooks")
def webhooks():
    body = request.get_data()  # raw bytes, before any JSON parsing
    expected = hmac.new(SECRET, body, hashlib.sha256).hexdigest()
    header = request.headers.get("${header}", "")
    signatures = header.removeprefix("v0=").split(",")
    if not any(hmac.compare_digest(expected, s.strip()) for s in signatures):
        abort(401)

    event = request.get_json()
    print(request.headers.get("x-outpost-topic"), event)
    return "", 200
`;

const goDefault = (header) => `package main

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"os"
	"strings"
)

func webhooks(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body) // raw bytes, before any JSON parsing
	if err != nil {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	mac := hmac.New(sha256.New, []byte(os.Getenv("WEBHOOK_SECRET"))) // whsec_...
	mac.Write(body)
	expected := hex.EncodeToString(mac.Sum(nil))

	header := strings.TrimPrefix(r.Header.Get("${header}"), "v0=")
	for _, sig := range strings.Split(header, ",") {
		if hmac.Equal([]byte(strings.TrimSpace(sig)), []byte(expected)) {
			// handle the event (topic: r.Header.Get("X-Outpost-Topic"))
			w.WriteHeader(http.StatusOK)
			return
		}
	}
	http.Error(w, "invalid signature", http.StatusUnauthorized)
}

func main() {
	http.HandleFunc("/webhooks", webhooks)
	http.ListenAndServe(":3000", nil)
}
`;

// ---------- standard mode (Standard Webhooks) ----------

const STANDARD_PREFIX = 'webhook-';

// The headers argument of Webhook.verify(): the request's own headers, or,
// when this server uses another prefix, its headers under the standard names.
function nodeHeaders(s) {
  if (s.prefix === STANDARD_PREFIX) return 'req.headers';
  return `{
      // this server sends ${s.prefix}*: hand them over under the standard names
      'webhook-id': req.get('${s.id}'),
      'webhook-timestamp': req.get('${s.timestamp}'),
      'webhook-signature': req.get('${s.signature}'),
    }`;
}

function pythonHeaders(s) {
  if (s.prefix === STANDARD_PREFIX) return 'request.headers';
  return `{
            # this server sends ${s.prefix}*: hand them over under the standard names
            "webhook-id": request.headers.get("${s.id}", ""),
            "webhook-timestamp": request.headers.get("${s.timestamp}", ""),
            "webhook-signature": request.headers.get("${s.signature}", ""),
        }`;
}

const nodeStandard = (s) => `// npm install standardwebhooks express
import express from 'express';
import { Webhook } from 'standardwebhooks';

const wh = new Webhook(process.env.WEBHOOK_SECRET); // whsec_...
const app = express();

// Keep the raw body: the signature covers the exact bytes received.
app.post('/webhooks', express.raw({ type: 'application/json' }), (req, res) => {
  let event;
  try {
    // Checks ${s.id}, ${s.timestamp} (at most 5 minutes off) and ${s.signature}.
    event = wh.verify(req.body, ${nodeHeaders(s)});
  } catch {
    return res.status(401).send('invalid signature');
  }

  console.log(req.get('${s.id}'), event);
  res.sendStatus(200);
});

app.listen(3000);
`;

const pythonStandard = (s) => `# pip install standardwebhooks flask
import os

from flask import Flask, abort, request
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

wh = Webhook(os.environ["WEBHOOK_SECRET"])  # whsec_...
app = Flask(__name__)


@app.post("/webhooks")
def webhooks():
    try:
        # Checks ${s.id}, ${s.timestamp} (at most 5 minutes off) and ${s.signature}.
        event = wh.verify(request.get_data(), ${pythonHeaders(s)})
    except WebhookVerificationError:
        abort(401)

    print(request.headers.get("${s.id}"), event)
    return "", 200
`;

const nodeCryptoStandard = (s) => `import { createHmac, timingSafeEqual } from 'node:crypto';
import express from 'express';

// The key is the base64-decoded part of the secret after "whsec_".
const key = Buffer.from(process.env.WEBHOOK_SECRET.replace(/^whsec_/, ''), 'base64');
const TOLERANCE_SECONDS = 5 * 60;
const app = express();

// Keep the raw body: the signature covers the exact bytes received.
app.post('/webhooks', express.raw({ type: 'application/json' }), (req, res) => {
  const id = req.get('${s.id}');
  const timestamp = req.get('${s.timestamp}'); // unix seconds
  const header = req.get('${s.signature}') || ''; // "v1,<base64> v1,<base64>"
  if (!id || !/^\\d+$/.test(timestamp || '')) return res.status(400).send('missing headers');
  // Refuse old (replayed) and future timestamps.
  if (Math.abs(Date.now() / 1000 - Number(timestamp)) > TOLERANCE_SECONDS) {
    return res.status(401).send('timestamp out of range');
  }

  const signed = Buffer.concat([Buffer.from(\`\${id}.\${timestamp}.\`), req.body]);
  const expected = createHmac('sha256', key).update(signed).digest();
  const valid = header.split(' ').some((entry) => {
    const [version, sig = ''] = entry.split(',');
    const got = Buffer.from(sig, 'base64');
    return version === 'v1' && got.length === expected.length && timingSafeEqual(got, expected);
  });
  if (!valid) return res.status(401).send('invalid signature');

  const event = JSON.parse(req.body.toString('utf8'));
  console.log(id, event);
  res.sendStatus(200);
});

app.listen(3000);
`;

/** [{label, code}] for the configured mode; empty when requests are not signed. */
export function snippets(cfg = {}) {
  const s = signing(cfg);
  if (s.mode === 'standard') {
    return [
      { label: 'Node.js', code: nodeStandard(s) },
      { label: 'Python', code: pythonStandard(s) },
      { label: 'Node.js (no library)', code: nodeCryptoStandard(s) },
    ];
  }
  if (!s.signature) return [];
  return [
    { label: 'Node.js', code: nodeDefault(s.signature) },
    { label: 'Python', code: pythonDefault(s.signature) },
    { label: 'Go', code: goDefault(s.signature) },
  ];
}
