"""Staff page: the town's allow-list of embedding origins and copy-and-paste snippets."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.html import escape
from django.utils.translation import gettext as _

from . import embedding
from .models import EmbedOrigin, Role
from .parsing import ParseError, clean_text, parse_id
from .permissions import role_required


def _snippet(request, label: str, path: str) -> str:
    base = f"{request.scheme}://{request.get_host()}"
    title = escape(f"{label} – {request.municipality.name}")
    return (
        f'<iframe src="{base}{embedding.embed_path(path)}" title="{title}" '
        'style="width:100%;min-height:720px;border:0" loading="lazy"></iframe>'
    )


@role_required(Role.ADMINISTRATOR)
def page(request):
    town = request.municipality
    if request.method == "POST":
        try:
            if request.POST.get("action") == "remove":
                embedding.remove_origin(town, parse_id(request.POST.get("id")), actor=request.user)
                messages.success(request, _("Die Einbettung ist nicht mehr erlaubt."))
            else:
                note = clean_text(request.POST.get("note", ""), "note", max_length=200)
                item = embedding.add_origin(
                    town, request.POST.get("origin", ""), actor=request.user, note=note
                )
                messages.success(request, _("%(origin)s darf jetzt einbetten.") % {"origin": item})
        except ParseError as error:
            messages.error(request, error.reason)
        return redirect("core:embedding")
    choices = embedding.choices(town)
    wanted = request.GET.get("seite", "")
    snippet = None
    for _group, items in choices:
        for label, path in items:
            if path == wanted:
                snippet = _snippet(request, label, path)
    return render(
        request,
        "core/embedding.html",
        {
            "origins": EmbedOrigin.objects.for_municipality(town),
            "choices": choices,
            "wanted": wanted,
            "snippet": snippet,
        },
    )
