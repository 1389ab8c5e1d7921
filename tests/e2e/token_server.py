# The token server of the distribution registry's token auth (Docker Hub's scheme: the
# registry answers 401 "WWW-Authenticate: Bearer realm=...", the client asks the realm for
# a token with its Basic credentials). Real JWTs, RS256-signed with openssl, the signing
# certificate in their x5c header (the registry's rootcertbundle holds it), so the
# registry accepts them and docker push and pull work through it.
#   token_server.py ADDR PORT TLS-CERT TLS-KEY SIGN-KEY SIGN-CERT USER PASSWORD-FILE ISSUER
import base64
import json
import os
import ssl
import subprocess
import sys
import time
from http.server import BaseHTTPRequestHandler, HTTPServer
from urllib.parse import parse_qs, urlparse

addr, port, cert, key, sign_key, sign_cert, user, pw_file, issuer = sys.argv[1:10]
with open(pw_file) as f:
    password = f.read().rstrip("\n")
with open(sign_cert) as f:
    der = ssl.PEM_cert_to_DER_cert(f.read())


def b64u(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


class Handler(BaseHTTPRequestHandler):
    def answer(self, status, body=b""):
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        u = urlparse(self.path)
        q = parse_qs(u.query)
        want = "Basic " + base64.b64encode((user + ":" + password).encode()).decode()
        if u.path != "/token" or self.headers.get("Authorization") != want:
            self.answer(401, b'{"details":"bad credentials"}')
            return
        access = []
        for s in q.get("scope", []):
            kind, rest = s.split(":", 1)
            name, actions = rest.rsplit(":", 1)
            access.append({"type": kind, "name": name, "actions": actions.split(",")})
        now = int(time.time())
        claims = {"iss": issuer, "sub": user, "aud": q.get("service", [""])[0], "exp": now + 600,
                  "nbf": now - 60, "iat": now, "jti": os.urandom(8).hex(), "access": access}
        head = {"typ": "JWT", "alg": "RS256", "x5c": [base64.b64encode(der).decode()]}
        signing = b64u(json.dumps(head).encode()) + "." + b64u(json.dumps(claims).encode())
        sig = subprocess.run(["openssl", "dgst", "-sha256", "-sign", sign_key], input=signing.encode(),
                             capture_output=True, check=True).stdout
        token = signing + "." + b64u(sig)
        self.answer(200, json.dumps({"token": token, "access_token": token, "expires_in": 600}).encode())

    def log_message(self, *args):
        sys.stderr.write("token: %s\n" % (args[0] % args[1:]))


server = HTTPServer((addr, int(port)), Handler)
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(cert, key)
server.socket = ctx.wrap_socket(server.socket, server_side=True)
print("token server ready", flush=True)
server.serve_forever()
