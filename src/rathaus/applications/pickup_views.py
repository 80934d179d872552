"""The citizen's pick-up page behind the signed link of the "ready" mail (ADR 0029)."""

from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from rathaus.appointments.services import BookingError
from rathaus.core.parsing import ParseError, parse_datetime
from rathaus.core.ratelimit import ratelimit

from . import pickup, services


@ratelimit("applications-pickup", 30)
@require_http_methods(["GET", "POST"])
def page(request, token):
    try:
        app = pickup.application_for(token, request.municipality, request.user)
    except pickup.InvalidLink:
        raise Http404 from None
    offer = pickup.offer_for(app)
    booking = app.pickup_booking if app.pickup_booking and app.pickup_booking.is_active else None
    error = ""
    if request.method == "POST" and booking is None and offer is not None:
        try:
            starts_at = parse_datetime(request.POST.get("beginn"), "beginn", date_only_ok=False)
        except ParseError as exc:
            error = f"Bitte wählen Sie eine Uhrzeit. ({exc.reason})"
        else:
            try:
                services.book_pickup(app, offer, starts_at)
            except (BookingError, services.ApplicationError) as exc:
                error = str(exc)
            else:
                return redirect("applications:pickup", token)
    status = 400 if error and request.method == "POST" else 200
    return render(
        request,
        "applications/pickup.html",
        {
            "app": app,
            "offer": offer,
            "booking": booking,
            "days": pickup.free_times(offer) if offer and booking is None else [],
            "walk_in": pickup.walk_in_days(app, offer),
            "error": error,
        },
        status=status,
    )
