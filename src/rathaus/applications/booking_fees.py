"""Paying a booking's reservation fee online through the payment module (issue 15).

The wedding calendar (Traukalender) charges 60 € for dates beyond six months. The
booking's manage link (its token) leads here; the payment runs exactly like an
application's (provider page, return, signed webhook, ``payments.record_status``), and
the success is recorded on the booking by the appointments app's own service.
"""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from rathaus.appointments import fees, tokens
from rathaus.appointments.models import Booking

from . import payments
from .models import Payment


def pay_url(token: str) -> str:
    return reverse("applications:booking_fee", args=[token])


def _booking(request, token) -> Booking:
    try:
        return tokens.booking_for_manage(str(token)[:500], request.municipality)
    except tokens.InvalidToken as exc:
        raise Http404 from exc


def _latest(booking: Booking) -> Payment | None:
    return Payment.objects.filter(booking=booking).order_by("-created_at", "-id").first()


@require_http_methods(["GET", "POST"])
def pay(request, token):
    booking = _booking(request, token)
    manage = reverse("appointments:manage", args=[token])
    if not fees.payable(booking):
        return redirect(manage)
    if request.method == "POST":
        try:
            payment = payments.start_booking_payment(
                booking,
                return_url=request.build_absolute_uri(
                    reverse("applications:booking_fee_return", args=[token])
                ),
                webhook_url=request.build_absolute_uri(
                    reverse("applications:payment_webhook", args=["demo"])
                ),
            )
        except payments.PaymentUnavailable:
            messages.error(
                request,
                "Die Online-Zahlung ist derzeit nicht eingerichtet. Ihr Termin bleibt "
                "reserviert; die Gebühr bezahlen Sie bei der Trauung.",
            )
            return render(
                request,
                "applications/booking_fee.html",
                {"booking": booking, "token": token, "payment": None},
            )
        if payment is None:
            return redirect(manage)
        return redirect(payment.next_url)
    return render(
        request,
        "applications/booking_fee.html",
        {"booking": booking, "token": token, "payment": _latest(booking)},
    )


def pay_return(request, token):
    booking = _booking(request, token)
    payment = _latest(booking)
    if payment is None:
        return redirect("applications:booking_fee", token)
    payment = payments.sync_from_provider(payment)
    if payment.status == Payment.Status.SUCCESS:
        messages.success(request, "Die Reservierungsgebühr ist bezahlt. Vielen Dank.")
        return redirect("appointments:manage", token)
    booking.refresh_from_db()
    return render(
        request,
        "applications/booking_fee.html",
        {"booking": booking, "token": token, "payment": payment},
    )
