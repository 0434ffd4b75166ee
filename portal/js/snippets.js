// Receiver-side signature verification examples (default signing mode:
// x-outpost-signature: v0=<hex HMAC-SHA256(secret, raw body)>[,<hex>...]).

const NODE = `import { createHmac, timingSafeEqual } from 'node:crypto';
import express from 'express';

const secret = process.env.WEBHOOK_SECRET; // whsec_...
const app = express();

// Keep the raw body: the signature covers the exact bytes received.
app.post('/webhooks', express.raw({ type: 'application/json' }), (req, res) => {
  const header = req.get('x-outpost-signature') || '';
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

const PYTHON = `import hashlib
import hmac
import os

from flask import Flask, abort, request

SECRET = os.environ["WEBHOOK_SECRET"].encode()  # whsec_...
app = Flask(__name__)


@app.post("/webhooks")
def webhooks():
    body = request.get_data()  # raw bytes, before any JSON parsing
    expected = hmac.new(SECRET, body, hashlib.sha256).hexdigest()
    header = request.headers.get("x-outpost-signature", "")
    signatures = header.removeprefix("v0=").split(",")
    if not any(hmac.compare_digest(expected, s.strip()) for s in signatures):
        abort(401)

    event = request.get_json()
    print(request.headers.get("x-outpost-topic"), event)
    return "", 200
`;

const GO = `package main

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

	header := strings.TrimPrefix(r.Header.Get("X-Outpost-Signature"), "v0=")
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

export function snippets() {
  return [
    { label: 'Node.js', code: NODE },
    { label: 'Python', code: PYTHON },
    { label: 'Go', code: GO },
  ];
}
