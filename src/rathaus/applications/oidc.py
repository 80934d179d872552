"""OpenID Connect login (authorization code flow with PKCE) for BundID or a Land account.

Providers come from the database (per municipality, ``OidcProvider``) or from
settings (``APPLICATIONS_OIDC_PROVIDERS``, installation-wide). The ID token's
signature is checked against the provider's JWKS with PyJWT; issuer, audience,
expiry and nonce are checked too.
"""

import base64
import hashlib
import json
import secrets
import urllib.parse
import urllib.request
from dataclasses import dataclass

import jwt
from django.conf import settings
from django.core.cache import cache
from django.db import transaction

from rathaus.core import audit
from rathaus.core.models import User

from .models import OidcIdentity, OidcProvider

SESSION_KEY = "applications_oidc"


class OidcError(Exception):
    """Login through the provider failed; the message is safe to show."""


@dataclass
class ProviderConfig:
    slug: str
    name: str
    issuer: str
    client_id: str
    client_secret: str
    scopes: str = "openid email profile"


def providers_for(municipality) -> list[ProviderConfig]:
    configured = [
        ProviderConfig(**{k: v for k, v in p.items() if k in ProviderConfig.__annotations__})
        for p in getattr(settings, "APPLICATIONS_OIDC_PROVIDERS", [])
    ]
    if municipality is not None:
        configured += [
            ProviderConfig(p.slug, p.name, p.issuer, p.client_id, p.client_secret, p.scopes)
            for p in OidcProvider.objects.for_municipality(municipality).filter(is_active=True)
        ]
    return configured


def get_provider(municipality, slug: str) -> ProviderConfig | None:
    return next((p for p in providers_for(municipality) if p.slug == slug), None)


def _http_json(url: str, data: dict | None = None, auth: tuple[str, str] | None = None) -> dict:
    headers = {"Accept": "application/json"}
    body = None
    if data is not None:
        body = urllib.parse.urlencode(data).encode()
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    if auth:
        token = base64.b64encode(
            f"{urllib.parse.quote(auth[0])}:{urllib.parse.quote(auth[1])}".encode()
        ).decode()
        headers["Authorization"] = f"Basic {token}"
    request = urllib.request.Request(url, data=body, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return json.loads(response.read())
    except (OSError, ValueError) as exc:
        raise OidcError("Der Anmeldedienst ist gerade nicht erreichbar.") from exc


def discovery(issuer: str) -> dict:
    key = "oidc-discovery:" + hashlib.sha256(issuer.encode()).hexdigest()
    doc = cache.get(key)
    if doc is None:
        doc = _http_json(issuer.rstrip("/") + "/.well-known/openid-configuration")
        if doc.get("issuer") != issuer:
            raise OidcError("Der Anmeldedienst ist falsch eingerichtet (Issuer).")
        cache.set(key, doc, 3600)
    return doc


def pkce_pair() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=")
    return verifier, challenge.decode()


def authorization_url(request, provider: ProviderConfig, redirect_uri: str, next_url: str) -> str:
    doc = discovery(provider.issuer)
    verifier, challenge = pkce_pair()
    state, nonce = secrets.token_urlsafe(24), secrets.token_urlsafe(24)
    request.session[SESSION_KEY] = {
        "provider": provider.slug,
        "state": state,
        "nonce": nonce,
        "verifier": verifier,
        "redirect_uri": redirect_uri,
        "next": next_url,
    }
    params = {
        "response_type": "code",
        "client_id": provider.client_id,
        "redirect_uri": redirect_uri,
        "scope": provider.scopes,
        "state": state,
        "nonce": nonce,
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }
    return doc["authorization_endpoint"] + "?" + urllib.parse.urlencode(params)


def verify_id_token(provider: ProviderConfig, doc: dict, id_token: str, nonce: str) -> dict:
    try:
        signing_key = jwt.PyJWKClient(doc["jwks_uri"]).get_signing_key_from_jwt(id_token)
        claims = jwt.decode(
            id_token,
            signing_key.key,
            algorithms=["RS256", "ES256", "PS256"],
            audience=provider.client_id,
            issuer=provider.issuer,
            options={"require": ["exp", "iat", "sub", "iss", "aud"]},
        )
    except (jwt.PyJWTError, KeyError) as exc:
        raise OidcError("Die Anmeldung konnte nicht bestätigt werden.") from exc
    if not secrets.compare_digest(str(claims.get("nonce", "")), nonce):
        raise OidcError("Die Anmeldung konnte nicht bestätigt werden.")
    return claims


def complete(request, municipality, params) -> tuple[User, str]:
    """Handle the callback: check state, exchange the code, verify the token, find the user."""
    pending = request.session.pop(SESSION_KEY, None)
    if not pending or not secrets.compare_digest(pending["state"], params.get("state", "")):
        raise OidcError("Die Anmeldung ist abgelaufen. Bitte versuchen Sie es erneut.")
    if params.get("error"):
        raise OidcError("Die Anmeldung wurde beim Anmeldedienst abgebrochen.")
    provider = get_provider(municipality, pending["provider"])
    if provider is None or not params.get("code"):
        raise OidcError("Die Anmeldung konnte nicht abgeschlossen werden.")
    doc = discovery(provider.issuer)
    tokens = _http_json(
        doc["token_endpoint"],
        {
            "grant_type": "authorization_code",
            "code": params["code"],
            "redirect_uri": pending["redirect_uri"],
            "code_verifier": pending["verifier"],
            "client_id": provider.client_id,
        },
        auth=(provider.client_id, provider.client_secret) if provider.client_secret else None,
    )
    if "id_token" not in tokens:
        raise OidcError("Die Anmeldung konnte nicht bestätigt werden.")
    claims = verify_id_token(provider, doc, tokens["id_token"], pending["nonce"])
    return user_for_claims(provider, claims), pending.get("next", "")


def user_for_claims(provider: ProviderConfig, claims: dict) -> User:
    identity = (
        OidcIdentity.objects.select_related("user")
        .filter(issuer=provider.issuer, subject=claims["sub"])
        .first()
    )
    if identity:
        return identity.user
    email = (claims.get("email") or "").lower()
    if not email or not claims.get("email_verified", False):
        raise OidcError("Der Anmeldedienst hat keine bestätigte E-Mail-Adresse übermittelt.")
    if User.objects.filter(email=email).exists():
        # Linking by e-mail alone would let a provider take over an existing account.
        raise OidcError(
            "Zu dieser E-Mail-Adresse gibt es schon ein Konto. Bitte melden Sie sich mit "
            "Passwort an."
        )
    with transaction.atomic():
        user = User.objects.create_user(
            email,
            None,
            first_name=claims.get("given_name", "")[:150],
            last_name=claims.get("family_name", "")[:150],
        )
        OidcIdentity.objects.create(user=user, issuer=provider.issuer, subject=claims["sub"])
        audit.record(
            "applications.oidc_account_created",
            user,
            actor=user,
            municipality=None,
            data={"issuer": provider.issuer},
        )
    return user
