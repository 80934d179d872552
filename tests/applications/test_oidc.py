"""OpenID Connect login against a local provider double: discovery, JWKS, token endpoint, PKCE.

The provider runs as a real HTTP server on 127.0.0.1 with its own RSA key pair.
"""

import base64
import hashlib
import json
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, HTTPServer

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from django.core.cache import cache

from rathaus.applications.models import OidcIdentity, OidcProvider
from rathaus.core.models import User

pytestmark = pytest.mark.django_db


class Provider:
    def __init__(self):
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.codes = {}
        self.claims = {
            "sub": "bund-123",
            "email": "ida@example.org",
            "email_verified": True,
            "given_name": "Ida",
            "family_name": "Idee",
        }
        self.sign_with = self.key
        self.server = HTTPServer(("127.0.0.1", 0), self.handler())
        self.issuer = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def jwks(self):
        jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.key.public_key()))
        return {"keys": [{**jwk, "kid": "k1", "use": "sig", "alg": "RS256"}]}

    def id_token(self, nonce):
        now = int(time.time())
        claims = {
            **self.claims,
            "iss": self.issuer,
            "aud": "rathaus",
            "iat": now,
            "exp": now + 300,
            "nonce": nonce,
        }
        return jwt.encode(claims, self.sign_with, algorithm="RS256", headers={"kid": "k1"})

    def handler(self):
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _json(self, data, status=200):
                body = json.dumps(data).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self):
                if self.path == "/.well-known/openid-configuration":
                    return self._json(
                        {
                            "issuer": provider.issuer,
                            "authorization_endpoint": provider.issuer + "/authorize",
                            "token_endpoint": provider.issuer + "/token",
                            "jwks_uri": provider.issuer + "/jwks",
                        }
                    )
                if self.path == "/jwks":
                    return self._json(provider.jwks())
                self._json({}, 404)

            def do_POST(self):
                length = int(self.headers["Content-Length"])
                form = dict(urllib.parse.parse_qsl(self.rfile.read(length).decode()))
                auth = base64.b64decode(self.headers["Authorization"].split()[1]).decode()
                pending = provider.codes.pop(form.get("code"), None)
                verifier_ok = (
                    pending
                    and base64.urlsafe_b64encode(
                        hashlib.sha256(form["code_verifier"].encode()).digest()
                    )
                    .rstrip(b"=")
                    .decode()
                    == pending["challenge"]
                )
                if auth != "rathaus:geheim" or not verifier_ok:
                    return self._json({"error": "invalid_grant"}, 400)
                self._json(
                    {
                        "access_token": "x",
                        "token_type": "Bearer",
                        "id_token": provider.id_token(pending["nonce"]),
                    }
                )

        return Handler

    def authorize(self, url):
        """What the provider does after the user logged in there: issue a code."""
        params = dict(urllib.parse.parse_qsl(urllib.parse.urlparse(url).query))
        assert params["code_challenge_method"] == "S256"
        code = f"code-{len(self.codes)}"
        self.codes[code] = {"challenge": params["code_challenge"], "nonce": params["nonce"]}
        return code, params["state"]


@pytest.fixture
def provider(town_a):
    cache.clear()
    double = Provider()
    OidcProvider.objects.create(
        municipality=town_a,
        slug="bundid",
        name="BundID (Test)",
        issuer=double.issuer,
        client_id="rathaus",
        client_secret="geheim",
    )
    yield double
    double.server.shutdown()


def _login(client, provider):
    response = client.get("/antraege/konto/oidc/bundid/?next=/antraege/")
    assert response.status_code == 302 and response["Location"].startswith(provider.issuer)
    code, state = provider.authorize(response["Location"])
    return client.get(f"/antraege/konto/oidc-rueckkehr/?code={code}&state={state}")


def test_login_page_offers_the_provider(client_a, provider):
    assert "BundID (Test)" in client_a.get("/anmelden/").content.decode()


def test_oidc_login_creates_linked_account(client_a, provider):
    response = _login(client_a, provider)
    assert response["Location"] == "/antraege/"
    user = User.objects.get(email="ida@example.org")
    assert user.first_name == "Ida" and int(client_a.session["_auth_user_id"]) == user.pk
    assert OidcIdentity.objects.get(user=user).subject == "bund-123"
    client_a.logout()
    _login(client_a, provider)  # second time: same account
    assert User.objects.filter(email="ida@example.org").count() == 1


def test_token_signed_by_another_key_is_refused(client_a, provider):
    provider.sign_with = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    response = _login(client_a, provider)
    assert response["Location"] == "/anmelden/"
    assert "_auth_user_id" not in client_a.session
    assert not User.objects.filter(email="ida@example.org").exists()


def test_wrong_state_is_refused(client_a, provider):
    response = client_a.get("/antraege/konto/oidc/bundid/")
    code, _ = provider.authorize(response["Location"])
    response = client_a.get(f"/antraege/konto/oidc-rueckkehr/?code={code}&state=falsch")
    assert response["Location"] == "/anmelden/"
    assert "_auth_user_id" not in client_a.session


def test_existing_email_is_not_taken_over(client_a, provider, citizen):
    provider.claims["email"] = citizen.email
    response = _login(client_a, provider)
    assert response["Location"] == "/anmelden/"
    assert "_auth_user_id" not in client_a.session


def test_unknown_provider_404(client_a, provider):
    assert client_a.get("/antraege/konto/oidc/gibtsnicht/").status_code == 404


def test_provider_from_settings(client_a, town_a, settings):
    cache.clear()
    double = Provider()
    try:
        settings.APPLICATIONS_OIDC_PROVIDERS = [
            {
                "slug": "land",
                "name": "Servicekonto Land",
                "issuer": double.issuer,
                "client_id": "rathaus",
                "client_secret": "geheim",
            }
        ]
        assert "Servicekonto Land" in client_a.get("/anmelden/").content.decode()
        response = client_a.get("/antraege/konto/oidc/land/")
        code, state = double.authorize(response["Location"])
        response = client_a.get(f"/antraege/konto/oidc-rueckkehr/?code={code}&state={state}")
        assert response["Location"] == "/antraege/konto/"
        assert User.objects.filter(email="ida@example.org").exists()
    finally:
        double.server.shutdown()
