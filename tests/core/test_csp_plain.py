"""``core.csp``: the header built once per process is the header django-csp builds."""

import pytest
from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.middleware import CSPMiddleware as DjangoCSPMiddleware
from django.http import HttpResponse

from rathaus.core.csp import CSPMiddleware


def _headers(middleware_class, rf, prepare=lambda request, response: None) -> dict:
    middleware = middleware_class(lambda request: HttpResponse())
    request, response = rf.get("/api/v1/appointments/availability"), HttpResponse()
    middleware.process_request(request)
    prepare(request, response)
    middleware.process_response(request, response)
    return {h: response.get(h) for h in (HEADER, HEADER_REPORT_ONLY)}


def _nonce(request, response):
    str(request.csp_nonce)


def _replace(request, response):
    response._csp_replace = {"frame-ancestors": ["https://a.example"]}


def _exempt(request, response):
    response._csp_exempt = True


@pytest.mark.parametrize("prepare", [lambda q, r: None, _nonce, _replace, _exempt])
def test_every_response_gets_the_header_django_csp_gives(rf, prepare):
    for _ in range(2):  # built, then from the process's copy
        assert _headers(CSPMiddleware, rf, prepare) == _headers(DjangoCSPMiddleware, rf, prepare)
    assert "default-src 'self'" in _headers(CSPMiddleware, rf)[HEADER]


def test_a_changed_policy_shows_at_once(rf, settings):
    _headers(CSPMiddleware, rf)
    settings.CONTENT_SECURITY_POLICY = {"DIRECTIVES": {"default-src": ["'none'"]}}
    settings.CONTENT_SECURITY_POLICY_REPORT_ONLY = {"DIRECTIVES": {"img-src": ["'self'"]}}
    changed = _headers(CSPMiddleware, rf)
    assert changed == _headers(DjangoCSPMiddleware, rf)
    assert (
        changed[HEADER] == "default-src 'none'" and "img-src 'self'" in changed[HEADER_REPORT_ONLY]
    )


def test_a_nonce_asked_for_after_the_header_is_an_error(rf):
    from csp.exceptions import CSPNonceError

    middleware = CSPMiddleware(lambda request: HttpResponse())
    request = rf.get("/")
    middleware.process_request(request)
    middleware.process_response(request, HttpResponse())
    with pytest.raises(CSPNonceError):
        str(request.csp_nonce)


def test_a_response_that_used_a_nonce_gets_it_in_its_header(rf, settings):
    from csp.constants import NONCE

    settings.CONTENT_SECURITY_POLICY = {"DIRECTIVES": {"script-src": ["'self'", NONCE]}}
    _headers(CSPMiddleware, rf)  # a plain response first: the header without a nonce kept
    with_nonce = _headers(CSPMiddleware, rf, _nonce)[HEADER]
    assert "'nonce-" in with_nonce and with_nonce != _headers(CSPMiddleware, rf)[HEADER]
