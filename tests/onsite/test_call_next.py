"""Counter workstation: finishing a ticket and calling the next one is one action (issue 16)."""

from django.urls import reverse

from rathaus.onsite import services
from rathaus.onsite.models import Ticket, TicketStatus


def test_finish_and_call_next_in_one_post(client_a, location_a, groups, counters, rules, clerk_a):
    client_a.force_login(clerk_a)
    first, second = services.draw(groups[0]), services.draw(groups[0])
    base = [location_a.slug, 1]
    client_a.post(reverse("onsite:action", args=[*base, "open"]))
    client_a.post(reverse("onsite:action", args=[*base, "call"]))
    page = client_a.post(
        reverse("onsite:action", args=[*base, "finish"]),
        {"ticket": first.pk, "services": [groups[0].services.first().pk], "then": "call"},
        follow=True,
    ).content.decode()
    assert Ticket.objects.get(pk=first.pk).status == TicketStatus.DONE
    assert Ticket.objects.get(pk=second.pk).status == TicketStatus.CALLED
    assert f"{second.label} aufgerufen" in page


def test_workstation_has_no_citizen_menu_or_footer(client_a, location_a, counters, clerk_a):
    client_a.force_login(clerk_a)
    page = client_a.get(reverse("onsite:workstation", args=[location_a.slug, 1])).content.decode()
    assert 'class="staff-bar"' in page
    assert "data-site-menu" not in page and "site-footer" not in page
