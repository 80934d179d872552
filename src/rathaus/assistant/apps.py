from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssistantConfig(AppConfig):
    name = "rathaus.assistant"
    label = "assistant"
    verbose_name = _("Assistent")

    def ready(self):
        from rathaus.core import embedding

        embedding.register(_("Assistent"), _chat)  # ADR 0008


def _chat(municipality):
    from django.urls import reverse

    return [(str(_("Assistent (Chat)")), reverse("assistant:chat"))]
