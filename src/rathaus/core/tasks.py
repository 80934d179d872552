"""Background work of the core: invitations and role notices for staff (issue 21)."""

from django_tasks import task

from .mail import send_town_mail


@task()
def send_staff_mail(user_id: int, municipality_id: int, kind: str) -> None:
    """ "invite": a new account gets a link to set its password (the reset token, made at
    send time, bound to the account's state); "role": an existing account learns of a
    new role. Links and sender are the town's, never a request's host."""
    from django.contrib.auth.tokens import default_token_generator
    from django.template.loader import render_to_string
    from django.urls import reverse
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    from . import tenancy
    from .models import Municipality, User

    user = User.objects.filter(pk=user_id).first()
    town = Municipality.objects.filter(pk=municipality_id).first()
    if user is None or town is None:
        return
    if kind == "invite":
        uid = urlsafe_base64_encode(force_bytes(user.pk))
        path = reverse(
            "applications:password_reset_confirm",
            args=[uid, default_token_generator.make_token(user)],
        )
        subject = f"Einladung: {town.name} – Digitales Rathaus"
    else:
        path = reverse("core:staff_home")
        subject = f"Neue Rolle: {town.name} – Digitales Rathaus"
    body = render_to_string(
        "core/email/staff_invitation.txt",
        {"town": town, "user": user, "link": tenancy.public_url(town, path), "kind": kind},
    )
    send_town_mail(town, subject, body, [user.email])
