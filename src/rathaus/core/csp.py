"""django-csp's middleware, with the header of a plain response built once per process.

django-csp builds the Content-Security-Policy header from the settings on every
response (~0.1 ms; 5 % of a hold's CPU in the profile, issue 24). The header of a
response that asks for nothing of its own (no nonce used, no per-view policy from
``csp.decorators`` or ``_csp_replace``, not exempt) depends on the settings alone, so it
is built once and set as it is. Everything else goes through django-csp unchanged, and
a change of the settings (tests) builds it again.
"""

import functools

from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.middleware import CheckableLazyObject
from csp.middleware import CSPMiddleware as _DjangoCSPMiddleware
from csp.utils import build_policy
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver

# What a view can set on its response to change or drop the policy (django-csp).
_OWN_POLICY = (
    "_csp_config",
    "_csp_update",
    "_csp_replace",
    "_csp_config_ro",
    "_csp_update_ro",
    "_csp_replace_ro",
)


class CSPMiddleware(_DjangoCSPMiddleware):
    def process_response(self, request, response):
        if not _is_plain(request, response):
            return super().process_response(request, response)
        for header, report_only in ((HEADER, False), (HEADER_REPORT_ONLY, True)):
            policy = _plain_policy(report_only)
            if policy and header not in response:
                response[header] = policy
        # As django-csp: a nonce asked for after the header is written is an error.
        request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)
        return response


def _is_plain(request, response) -> bool:
    if getattr(request, "_csp_nonce", None) is not None:
        return False
    if any(getattr(response, name, None) is not None for name in _OWN_POLICY):
        return False
    if getattr(response, "_csp_exempt", False) or getattr(response, "_csp_exempt_ro", False):
        return False
    # Excluded prefixes and DEBUG's bare error pages: django-csp decides.
    return not _has_excluded_prefixes() and not settings.DEBUG


@functools.cache
def _plain_policy(report_only: bool) -> str:
    return build_policy(report_only=report_only)


@functools.cache
def _has_excluded_prefixes() -> bool:
    return any(
        (getattr(settings, name, None) or {}).get("EXCLUDE_URL_PREFIXES")
        for name in ("CONTENT_SECURITY_POLICY", "CONTENT_SECURITY_POLICY_REPORT_ONLY")
    )


@receiver(setting_changed)
def _policy_changed(setting, **kwargs) -> None:
    if setting.startswith("CONTENT_SECURITY_POLICY") or setting == "DEBUG":
        _plain_policy.cache_clear()
        _has_excluded_prefixes.cache_clear()
