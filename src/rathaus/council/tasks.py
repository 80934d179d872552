"""Background work of the council module: invitations and search alerts by e-mail."""

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django_tasks import task

from rathaus.core import tenancy
from rathaus.core.mail import send_town_mail


def absolute(path: str, municipality) -> str:
    """Link for e-mails: the town's configured address, never a request's host."""
    return tenancy.public_url(municipality, path)


def member_addresses(organization) -> list[str]:
    from .models import Membership

    today = timezone.localdate()
    addresses = set()
    memberships = (
        Membership.objects.filter(organization=organization, deleted=False)
        .select_related("person__user")
        .exclude(end_date__lt=today)
    )
    for membership in memberships:
        person = membership.person
        address = person.email or (person.user.email if person.user else "")
        if address:
            addresses.add(address.lower())
    return sorted(addresses)


@task()
def send_invitation(meeting_id: int) -> int:
    """E-mail the invitation with the agenda to every current member (one mail each)."""
    from .models import Meeting

    meeting = Meeting.objects.select_related("organization", "place", "municipality").get(
        pk=meeting_id
    )
    items = meeting.agenda_items.alive().order_by("order")
    body = render_to_string(
        "council/email/invitation.txt",
        {
            "meeting": meeting,
            "public_items": [i for i in items if i.public],
            "non_public_items": [i for i in items if not i.public],
            "url": absolute(meeting.get_absolute_url(), meeting.municipality),
        },
    )
    subject = f"Einladung: {meeting.name} am {timezone.localtime(meeting.start):%d.%m.%Y}"
    addresses = member_addresses(meeting.organization)
    for address in addresses:
        send_town_mail(meeting.municipality, subject, body, [address])
    return len(addresses)


@task()
def send_cancellation(meeting_id: int) -> int:
    from .models import Meeting

    meeting = Meeting.objects.select_related("organization", "municipality").get(pk=meeting_id)
    when = timezone.localtime(meeting.start)
    url = absolute(meeting.get_absolute_url(), meeting.municipality)
    subject = f"Absage: {meeting.name} am {when:%d.%m.%Y}"
    body = (
        f"Die Sitzung „{meeting.name}“ ({meeting.organization.name}) am {when:%d.%m.%Y} um "
        f"{when:%H:%M} Uhr ist abgesagt.\n\n{url}\n"
    )
    addresses = member_addresses(meeting.organization)
    for address in addresses:
        send_town_mail(meeting.municipality, subject, body, [address])
    return len(addresses)


@task()
def send_alert_confirmation(alert_id: int) -> None:
    from .models import SavedSearch

    alert = SavedSearch.objects.select_related("municipality").filter(pk=alert_id).first()
    if alert is None:
        return
    body = render_to_string(
        "council/email/alert_confirm.txt",
        {
            "alert": alert,
            "confirm_url": absolute(
                reverse("council:alert_confirm", args=[alert.token]), alert.municipality
            ),
        },
    )
    subject = f"Bitte bestätigen: Suchabo „{alert.query}“"
    send_town_mail(alert.municipality, subject, body, [alert.email])


@task()
def send_alert_matches(alert_id: int, paper_ids: list[int]) -> None:
    from .models import Paper, SavedSearch

    alert = SavedSearch.objects.select_related("municipality").filter(pk=alert_id).first()
    if alert is None:
        return
    # Re-check visibility at send time: a paper made non-public meanwhile is not mailed.
    papers = Paper.objects.for_municipality(alert.municipality).visible().filter(pk__in=paper_ids)
    papers = [(p, absolute(p.get_absolute_url(), alert.municipality)) for p in papers]
    if not papers:
        return
    body = render_to_string(
        "council/email/alert_matches.txt",
        {
            "alert": alert,
            "papers": papers,
            "unsubscribe_url": absolute(
                reverse("council:alert_unsubscribe", args=[alert.token]), alert.municipality
            ),
        },
    )
    subject = f"Neue Drucksachen zu „{alert.query}“"
    send_town_mail(alert.municipality, subject, body, [alert.email])
