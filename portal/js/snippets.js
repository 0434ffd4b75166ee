// Receiver-side signature verification examples, for the signing setup the
// server runs with (PORTAL_CONFIGS: WEBHOOK_MODE, the header names in effect,
// SIGNATURE_ALGORITHM / _ENCODING / _*_TEMPLATE):
//   default   <SIGNATURE_HEADER>: v0=<hex|base64 HMAC(secret, raw body)>[,...]
//             plus <EVENT_ID_HEADER>, <TOPIC_HEADER>, <TIMESTAMP_HEADER>
//   standard  Standard Webhooks: <prefix>id, <prefix>timestamp (unix s) and
//             <prefix>signature: "v1,<base64>" entries separated by spaces,
//             HMAC-SHA256 of "<id>.<timestamp>.<raw body>" keyed with the
//             base64-decoded part of the secret after "whsec_".

const DEFAULT_CONTENT_TEMPLATE = '{{.Body}}';
const DEFAULT_HEADER_TEMPLATE = 'v0={{.Signatures | join ","}}';
const squash = (t) => String(t).replace(/\s+/g, '');

/**
 * What receivers must check, from the portal config (every header name is
 * the one deliveries carry under the server's configuration; null = that
 * header is not sent).
 * default:  {mode, signature, prefix, eventId, topic, timestamp, algorithm
 *            ('sha256'|'sha1'), encoding ('hex'|'base64'), contentTemplate,
 *            headerTemplate, customFormat (a template other than the default)}
 * standard: {mode, signature, prefix, id, timestamp, topic}
 * A server too old to say (no *_HEADER keys) gets its historical names.
 */
export function signing(cfg = {}) {
  const has = (k) => Object.prototype.hasOwnProperty.call(cfg, k);
  const name = (k, fallback) => (has(k) ? cfg[k] || null : fallback);
  if (cfg.WEBHOOK_MODE === 'standard') {
    const signature = cfg.SIGNATURE_HEADER || 'webhook-signature';
    const prefix = has('HEADER_PREFIX') && typeof cfg.HEADER_PREFIX === 'string' ? cfg.HEADER_PREFIX
      : signature.endsWith('signature') ? signature.slice(0, -'signature'.length) : 'webhook-';
    return {
      mode: 'standard', signature, prefix,
      id: name('EVENT_ID_HEADER', `${prefix}id`) || `${prefix}id`,
      timestamp: name('TIMESTAMP_HEADER', `${prefix}timestamp`) || `${prefix}timestamp`,
      topic: name('TOPIC_HEADER', `${prefix}topic`),
    };
  }
  const signature = cfg.SIGNATURE_HEADER === undefined ? 'x-outpost-signature' : cfg.SIGNATURE_HEADER || null;
  const prefix = has('HEADER_PREFIX') && typeof cfg.HEADER_PREFIX === 'string' ? cfg.HEADER_PREFIX
    : signature && signature.endsWith('signature') ? signature.slice(0, -'signature'.length) : 'x-outpost-';
  const contentTemplate = cfg.SIGNATURE_CONTENT_TEMPLATE || DEFAULT_CONTENT_TEMPLATE;
  const headerTemplate = cfg.SIGNATURE_HEADER_TEMPLATE || DEFAULT_HEADER_TEMPLATE;
  return {
    mode: 'default',
    signature,
    prefix,
    eventId: name('EVENT_ID_HEADER', `${prefix}event-id`),
    topic: name('TOPIC_HEADER', `${prefix}topic`),
    timestamp: name('TIMESTAMP_HEADER', `${prefix}timestamp`),
    algorithm: cfg.SIGNATURE_ALGORITHM === 'hmac-sha1' ? 'sha1' : 'sha256',
    encoding: cfg.SIGNATURE_ENCODING === 'base64' ? 'base64' : 'hex',
    contentTemplate,
    headerTemplate,
    customFormat: squash(contentTemplate) !== squash(DEFAULT_CONTENT_TEMPLATE) || squash(headerTemplate) !== squash(DEFAULT_HEADER_TEMPLATE),
  };
}

/** "HMAC-SHA256" / "HMAC-SHA1". */
export function algorithmLabel(s) {
  return `HMAC-${(s.algorithm || 'sha256').toUpperCase()}`;
}

// ---------- default mode ----------

// A custom DESTINATIONS_WEBHOOK_SIGNATURE_*_TEMPLATE changes what is signed
// or how the header looks: say so at the top of every example.
function customNote(s, c) {
  if (!s.customFormat) return '';
  return `${c} This server uses a custom signature format. It signs:
${c}   ${s.contentTemplate}
${c} and sends the ${s.signature} header as:
${c}   ${s.headerTemplate}
${c} Build the same signed content and read the signatures out of the header
${c} accordingly; the example below shows the default format.

`;
}

const nodeDefault = (s) => {
  const logged = [s.topic && `req.get('${s.topic}')`, s.eventId && `req.get('${s.eventId}')`, 'event'].filter(Boolean).join(', ');
  return `${customNote(s, '//')}import { createHmac, timingSafeEqual } from 'node:crypto';
import express from 'express';

const secret = process.env.WEBHOOK_SECRET; // whsec_...
const app = express();

// Keep the raw body: the signature covers the exact bytes received.
app.post('/webhooks', express.raw({ type: 'application/json' }), (req, res) => {
  const header = req.get('${s.signature}') || ''; // v0=<signature>[,<signature>]
  const expected = createHmac('${s.algorithm}', secret).update(req.body).digest();
  const valid = header.replace(/^v0=/, '').split(',').some((sig) => {
    const got = Buffer.from(sig.trim(), '${s.encoding}');
    return got.length === expected.length && timingSafeEqual(got, expected);
  });
  if (!valid) return res.status(401).send('invalid signature');

  const event = JSON.parse(req.body.toString('utf8'));
  console.log(${logged});
  res.sendStatus(200);
});

app.listen(3000);
`;
};

const pythonDefault = (s) => {
  const logged = [s.topic && `request.headers.get("${s.topic}")`, s.eventId && `request.headers.get("${s.eventId}")`, 'event'].filter(Boolean).join(', ');
  const expected = s.encoding === 'base64'
    ? `base64.b64encode(hmac.new(SECRET, body, hashlib.${s.algorithm}).digest()).decode()`
    : `hmac.new(SECRET, body, hashlib.${s.algorithm}).hexdigest()`;
  return `${customNote(s, '#')}${s.encoding === 'base64' ? 'import base64\n' : ''}import hashlib
import hmac
import os

from flask import Flask, abort, request

SECRET = os.environ["WEBHOOK_SECRET"].encode()  # whsec_...
app = Flask(__name__)


@app.post("/webhooks")
def webhooks():
    body = request.get_data()  # raw bytes, before any JSON parsing
    expected = ${expected}
    header = request.headers.get("${s.signature}", "")  # v0=<signature>[,<signature>]
    signatures = header.removeprefix("v0=").split(",")
    if not any(hmac.compare_digest(expected, s.strip()) for s in signatures):
        abort(401)

    event = request.get_json()
    print(${logged})
    return "", 200
`;
};

const goDefault = (s) => {
  const enc = s.encoding === 'base64' ? 'base64.StdEncoding.EncodeToString(mac.Sum(nil))' : 'hex.EncodeToString(mac.Sum(nil))';
  const imports = ['crypto/hmac', `crypto/${s.algorithm}`, s.encoding === 'base64' ? 'encoding/base64' : 'encoding/hex', 'io', 'net/http', 'os', 'strings']
    .sort().map((i) => `\t"${i}"`).join('\n');
  const handle = [s.topic && `r.Header.Get("${s.topic}")`, s.eventId && `r.Header.Get("${s.eventId}")`].filter(Boolean);
  return `${customNote(s, '//')}package main

import (
${imports}
)

func webhooks(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body) // raw bytes, before any JSON parsing
	if err != nil {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	mac := hmac.New(${s.algorithm}.New, []byte(os.Getenv("WEBHOOK_SECRET"))) // whsec_...
	mac.Write(body)
	expected := ${enc}

	// v0=<signature>[,<signature>]
	header := strings.TrimPrefix(r.Header.Get("${s.signature}"), "v0=")
	for _, sig := range strings.Split(header, ",") {
		if hmac.Equal([]byte(strings.TrimSpace(sig)), []byte(expected)) {
			// handle the event${handle.length ? ` (${handle.join(', ')})` : ''}
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
};

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
    { label: 'Node.js', code: nodeDefault(s) },
    { label: 'Python', code: pythonDefault(s) },
    { label: 'Go', code: goDefault(s) },
  ];
}
