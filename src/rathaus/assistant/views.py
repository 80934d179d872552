"""The chat page (works without JavaScript; htmx answers inline) and the editors' list."""

from django.conf import settings
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.views.decorators.http import require_POST

from rathaus.core.models import Role
from rathaus.core.permissions import role_required
from rathaus.core.ratelimit import client_ip, hit, too_many

from . import services
from .forms import QuestionForm
from .models import Message, OpenQuestion


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
    return render(request, "assistant/chat.html", _page_context(request, conversation, form))


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
