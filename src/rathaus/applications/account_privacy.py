"""The citizen's rights in the account: download all data (Art. 15/20), delete the
account (Art. 17). What is collected and erased comes from every module through
``core.export``; this module only offers it to the signed-in citizen."""

from django import forms
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string

from rathaus.core import export, held_mail, ratelimit
from rathaus.core.forms import KernForm


@login_required
@ratelimit.ratelimit("applications-data-export", 10, methods=("GET",))
def data_export_zip(request):
    """data.json, zusammenfassung.txt and the files, from every module, as one ZIP."""
    content = export.build_zip(export.Person.of(request.user))
    response = HttpResponse(content, content_type="application/zip")
    response["Content-Disposition"] = 'attachment; filename="meine-daten.zip"'
    return response


@login_required
@ratelimit.ratelimit("applications-data-export", 10, methods=("GET",))
def data_export_json(request):
    person = export.Person.of(request.user)
    response = HttpResponse(
        export.as_json(person, export.collect(person)), content_type="application/json"
    )
    response["Content-Disposition"] = 'attachment; filename="meine-daten.json"'
    return response


class DeleteAccountForm(KernForm):
    confirm = forms.BooleanField(
        label="Ja, ich möchte mein Konto endgültig löschen.",
        error_messages={"required": "Bitte bestätigen Sie, dass Sie Ihr Konto löschen möchten."},
    )


@login_required
def delete_account(request):
    statements = export.deletion_statements()
    form = DeleteAccountForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = request.user
        address, town = user.email, request.municipality.name
        body = render_to_string(
            "applications/email/account_deleted.txt", {"statements": statements, "town": town}
        )
        with transaction.atomic():
            export.erase_account(user)
            # The account is gone, so the address is held in a row of its own until the
            # mail is sent (core.held_mails); the task row carries that row's id only.
            held_mail.send_after_commit(
                address, "Ihr Konto wurde gelöscht", body, municipality=request.municipality
            )
        logout(request)
        messages.success(
            request, "Ihr Konto wurde gelöscht. Sie erhalten eine Bestätigung per E-Mail."
        )
        return redirect("applications:account_deleted")
    return render(
        request,
        "applications/konto/delete.html",
        {"form": form, "statements": statements},
    )


def account_deleted(request):
    return render(
        request,
        "applications/konto/deleted.html",
        {"statements": export.deletion_statements()},
    )
