"""The chat page (works without JavaScript; htmx answers inline) and the editors' list."""

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from rathaus.catalog import services as catalog_services
from rathaus.catalog.models import LifeSituation, Service
from rathaus.core.models import Role
from rathaus.core.parsing import ParseError, clean_text, parse_choice, try_id
from rathaus.core.permissions import role_required
from rathaus.core.ratelimit import client_ip, hit, too_many

from . import services
from .forms import QuestionForm
from .models import Feedback, Message, OpenQuestion


def _page_context(request, conversation, form):
    messages = list(conversation.messages.all()) if conversation else []
    asked = sum(1 for m in messages if m.role == Message.Role.CITIZEN)
    return {
        "form": form,
        "conversation": conversation,
        "chat_messages": messages,
        "turn": asked,
        "retention_hours": max(1, services.retention_seconds() // 3600),
    }


def chat(request):
    if request.method == "POST":
        return _ask(request)
    conversation = services.find_conversation(request.municipality, request.GET.get("c"))
    form = QuestionForm()
    context = _page_context(request, conversation, form)
    context["thanked"] = request.GET.get("danke") == "1"
    return render(request, "assistant/chat.html", context)


def _ask(request):
    limit = getattr(settings, "RATHAUS_ASSISTANT_RATE_LIMIT", 30)
    verdict = hit("assistant", client_ip(request), limit, 60)
    if not verdict.allowed:
        return too_many(request, verdict)
    form = QuestionForm(request.POST)
    htmx = request.headers.get("HX-Request") == "true"
    if not form.is_valid():
        conversation = services.find_conversation(
            request.municipality, request.POST.get("conversation")
        )
        context = _page_context(request, conversation, form)
        if htmx:
            return render(request, "assistant/_form.html", {**context, "oob": True})
        return render(request, "assistant/chat.html", context, status=422)
    data = form.cleaned_data
    conversation, reply = services.ask(
        request.municipality,
        data["question"],
        conversation_id=data.get("conversation"),
        choice=data.get("choice") or "",
        turn=data.get("turn"),
        default_language=(get_language() or "de")[:2],
    )
    if htmx:
        question = conversation.messages.filter(
            role=Message.Role.CITIZEN, created_at__lte=reply.created_at
        ).last()
        context = _page_context(request, conversation, QuestionForm())
        context.update({"new_messages": [question, reply], "oob": True})
        return render(request, "assistant/_turn.html", context)
    return redirect(f"{reverse('assistant:chat')}?c={conversation.pk}#nachricht-{reply.pk}")


@role_required(Role.CATALOG_EDITOR)
def open_questions(request):
    show_resolved = request.GET.get("erledigt") == "1"
    questions = OpenQuestion.objects.for_municipality(request.municipality).select_related(
        "service"
    )
    questions = questions.filter(resolved_at__isnull=not show_resolved)
    page = Paginator(questions, 50).get_page(request.GET.get("seite"))
    return render(
        request,
        "assistant/open_questions.html",
        {"page": page, "show_resolved": show_resolved},
    )


@require_POST
@role_required(Role.CATALOG_EDITOR)
def resolve_question(request, pk):
    question = get_object_or_404(OpenQuestion.objects.for_municipality(request.municipality), pk=pk)
    services.resolve_open_question(question, actor=request.user)
    return redirect("assistant:open_questions")


@require_POST
def feedback(request, message_id):
    """A citizen rates an answer ("hilfreich / nicht hilfreich", optional what was missing)."""
    verdict = hit("assistant-feedback", client_ip(request), 60, 60)
    if not verdict.allowed:
        return too_many(request, verdict)
    conversation = request.POST.get("conversation", "")
    try:
        helpful = parse_choice(request.POST.get("helpful"), "helpful", {"ja", "nein"}) == "ja"
        missing = clean_text(request.POST.get("missing"), "missing", max_length=500, multiline=True)
        services.give_feedback(
            request.municipality, conversation, message_id, helpful=helpful, missing=missing
        )
    except (ParseError, services.FeedbackError):
        return render(request, "assistant/feedback_error.html", status=400)
    if request.headers.get("HX-Request") == "true":
        message = Message.objects.get(pk=message_id)
        return render(
            request, "assistant/_feedback.html", {"message": message, "feedback_done": True}
        )
    return redirect(f"{reverse('assistant:chat')}?c={conversation}&danke=1#nachricht-{message_id}")


@role_required(Role.CATALOG_EDITOR)
def feedback_list(request):
    """Ratings per question and per service, next to the tools that fix a question."""
    show_resolved = request.GET.get("erledigt") == "1"
    items = Feedback.objects.for_municipality(request.municipality).select_related("service")
    per_service = (
        items.exclude(service=None)
        .values("service__name")
        .annotate(
            n_helpful=Count("id", filter=Q(helpful=True)),
            n_unhelpful=Count("id", filter=Q(helpful=False)),
        )
        .order_by("-n_unhelpful", "service__name")[:30]
    )
    items = items.filter(resolved_at__isnull=not show_resolved)
    page = Paginator(items, 50).get_page(request.GET.get("seite"))
    return render(
        request,
        "assistant/feedback_list.html",
        {
            "page": page,
            "show_resolved": show_resolved,
            "per_service": per_service,
            "services": Service.objects.for_municipality(request.municipality)
            .filter(is_published=True)
            .order_by("name")
            .only("pk", "name"),
            "situations": LifeSituation.objects.all(),
        },
    )


@require_POST
@role_required(Role.CATALOG_EDITOR)
def teach(request, pk):
    """Fix a question for the next citizen: a synonym or a Lebenslage link (audited)."""
    item = get_object_or_404(Feedback.objects.for_municipality(request.municipality), pk=pk)
    service_id = try_id(request.POST.get("service"))
    service = (
        Service.objects.for_municipality(request.municipality).filter(pk=service_id).first()
        if service_id
        else None
    )
    try:  # every text from the form is checked before it reaches a query
        word = clean_text(" ".join(request.POST.get("word", "").split()), "word", max_length=80)
        slug = clean_text(request.POST.get("situation"), "situation", max_length=50)
    except ParseError as error:
        messages.error(request, error.reason)
        return redirect("assistant:feedback_list")
    situation = LifeSituation.objects.filter(slug=slug).first() if slug else None
    if service is None or not (word or situation):
        messages.error(request, _("Bitte eine Leistung und ein Wort oder eine Lebenslage wählen."))
        return redirect("assistant:feedback_list")
    if word:
        catalog_services.add_synonym(service, word, actor=request.user)
    if situation is not None:
        catalog_services.link_life_situation(service, situation, actor=request.user)
    services.resolve_feedback(item, actor=request.user)
    messages.success(request, _("Gespeichert. Die nächste gleiche Frage findet die Leistung."))
    return redirect("assistant:feedback_list")


@require_POST
@role_required(Role.CATALOG_EDITOR)
def resolve_feedback(request, pk):
    item = get_object_or_404(Feedback.objects.for_municipality(request.municipality), pk=pk)
    services.resolve_feedback(item, actor=request.user)
    return redirect("assistant:feedback_list")
