"""The satisfaction question's pages: the answer (POST), thanks, and the staff figures."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from rathaus.core.models import Role
from rathaus.core.parsing import ParseError, clean_text, parse_choice, parse_int
from rathaus.core.permissions import role_required

from . import satisfaction, services
from .models import SatisfactionAnswer
from .usage import months_back


def _parse(post) -> dict:
    easy = post.get("easy") or ""
    time_saved = post.get("time_saved") or ""
    return {
        "easy": parse_choice(easy, "easy", ["", *SatisfactionAnswer.Easy.values]),
        "time_saved": parse_choice(
            time_saved, "time_saved", ["", *SatisfactionAnswer.TimeSaved.values]
        ),
        "hard": clean_text(
            post.get("hard"), "hard", max_length=satisfaction.MAX_HARD, multiline=True
        ),
    }


FIELD_LABELS = {
    "easy": gettext_lazy("War es einfach?"),
    "time_saved": gettext_lazy("Hat es Ihnen Zeit gespart?"),
    "hard": gettext_lazy("Was war schwierig?"),
}


@require_http_methods(["GET", "POST"])
def answer(request):
    """GET shows the question on its own page (link in a mail); POST stores the answer."""
    source = request.POST if request.method == "POST" else request.GET
    token = str(source.get("t") or "")[:2000]
    try:
        ticket = satisfaction.read(token, request.municipality)
    except satisfaction.InvalidTicket:
        return render(request, "catalog/satisfaction_invalid.html", status=400)
    context = {
        "question": {"token": token, "answered": satisfaction.answered(token)},
        "channel": ticket.channel,
        "standalone": True,
    }
    if request.method == "GET":
        return render(request, "catalog/satisfaction.html", context)
    try:
        values = _parse(request.POST)
    except ParseError as error:
        context["error"] = f"{FIELD_LABELS.get(error.field, error.field)}: {error.reason}"
        return render(request, "catalog/satisfaction.html", context, status=400)
    if not any(values.values()):
        context["error"] = _(
            "Sie haben nichts ausgewählt. Wählen Sie eine Antwort oder schreiben Sie, was "
            "schwierig war – oder lassen Sie die Frage einfach aus."
        )
        return render(request, "catalog/satisfaction.html", context, status=400)
    try:
        services.record_satisfaction(request.municipality, token, **values)
    except satisfaction.InvalidTicket:
        return render(request, "catalog/satisfaction_invalid.html", status=400)
    return redirect("catalog:satisfaction_thanks")


def thanks(request):
    return render(request, "catalog/satisfaction_thanks.html")


@role_required(Role.CATALOG_EDITOR)
def staff_figures(request):
    """Per service: how many answered, how easy, time saved, and what was hard."""
    try:
        months = parse_int(request.GET.get("monate", "6"), "monate", minimum=1, maximum=36)
    except ParseError as error:
        messages.error(request, error.reason)
        months = 6
    since = months_back(satisfaction.first_of_month(), months)
    rows = satisfaction.figures(request.municipality, since=since)
    return render(
        request,
        "catalog/staff_satisfaction.html",
        {
            "rows": rows,
            "since": since,
            "months": months,
            "total": sum(r.answers for r in rows),
            "channels": satisfaction.CHANNELS,
            "month_choices": (1, 3, 6, 12, 36),
        },
    )
