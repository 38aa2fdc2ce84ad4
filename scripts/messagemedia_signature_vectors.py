#!/usr/bin/env python3
"""Test vectors for the `messagemedia` signature scheme, computed independently of the Swift code.

MessageMedia's enterprise webhooks (support.messagemedia.com "Enterprise webhooks"; their PHP and Python code
guides, github.com/messagemedia/enterprise-webhooks-{php,python}-sdk) sign
    request line ("POST /path HTTP/1.1") + Date header value + raw body
with RSA PKCS#1 v1.5 and the digest chosen when the key was created (SHA224, SHA256 or SHA512), Base64 in
`X-Messagemedia-Signature`. This script makes a fresh 2048-bit key with Python's `cryptography` (PyPI) and
prints JSON: the public key (Base64 DER, as the signature key API returns it, and PEM) and signatures of the
cases below. The private key is not printed. Output is in scripts/messagemedia_signature_vectors.json.

Usage: python3 -m venv /tmp/v && /tmp/v/bin/pip install cryptography && /tmp/v/bin/python3 this_script.py
"""
import base64
import json

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

DATE = "Wed, 18 Jul 2018 06:33:52 GMT"
REPLY = (
    '{"account_id":"DeveloperPortal7000","reply_id":"a175e797-2b54-468b-9850-41a3eab32f74",'
    '"destination_number":"+61491593156","source_number":"+61491570156","date_received":"2016-12-07T08:44:00.850Z",'
    '"message_id":"877c19ef-fa2e-4cec-827a-e1df9b5509f7","content":"Hello Derpina"}'
)
DLR = (
    '{"delivery_report_id":"01e1fa0a-6e27-4945-9cdb-18644b4de043","source_number":"+61491570157",'
    '"date_received":"2017-05-20T06:30:37.642Z","status":"delivered","delay":0,'
    '"submitted_date":"2017-05-20T06:30:37.639Z","original_text":"My first message!",'
    '"message_id":"d781dcab-d9d8-4fb2-9e03-872f07ae94ba","vendor_account_id":{"vendor_id":"MessageMedia",'
    '"account_id":"MyAccount"},"error_code":"220"}'
)
CASES = [
    ("reply_sha256", "POST", "/inbound/messagemedia", REPLY, hashes.SHA256()),
    ("dlr_sha512", "POST", "/inbound/messagemedia?channel=mm1", DLR, hashes.SHA512()),
    ("reply_sha224", "POST", "/inbound/messagemedia", REPLY, hashes.SHA224()),
]


def main():
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public = key.public_key()
    der = public.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    pem = public.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    out = {"publicKeyBase64DER": base64.b64encode(der).decode(), "publicKeyPEM": pem.decode(), "date": DATE,
           "cases": []}
    for name, method, path, body, digest in CASES:
        signed = f"{method} {path} HTTP/1.1{DATE}{body}".encode()
        signature = key.sign(signed, padding.PKCS1v15(), digest)
        public.verify(signature, signed, padding.PKCS1v15(), digest)  # the vector checks out with the library
        out["cases"].append({"name": name, "method": method, "path": path, "body": body, "digest": digest.name,
                             "signature": base64.b64encode(signature).decode()})
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
