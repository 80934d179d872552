"""Pages of the Bürgerhaushalt: rounds, proposals, ballot, TOP-N results, staff actions."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from rathaus.core.models import Role
from rathaus.core.parsing import clean_text
from rathaus.core.permissions import role_required
from rathaus.core.ratelimit import ratelimit

from . import services, vote_codes
from .forms import (
    BallotForm,
    CodeBatchForm,
    CodeRequestForm,
    MergeForm,
    MilestoneForm,
    ProgressForm,
    ProposalForm,
    ReviewForm,
    VoteCodeForm,
)
from .models import Ballot, BudgetRound, Proposal
from .services_council import create_proposal_paper, proposal_paper
from .way import proposal_way

STAFF = (Role.MODERATOR,)


def _round(request, slug):
    return get_object_or_404(BudgetRound.objects.for_municipality(request.municipality), slug=slug)


def _visible(budget_round):
    return budget_round.proposals.exclude(status=Proposal.Status.MERGED).annotate(
        supporters=Count("supports", distinct=True)
    )


def _public_paper(budget_round):
    """Link the Drucksache publicly only while the council shows it publicly."""
    paper = services.council_paper(budget_round)
    return paper if paper is not None and paper.public else None


def budget_home(request):
    rounds = BudgetRound.objects.for_municipality(request.municipality)
    return render(request, "participation/budget/home.html", {"rounds": rounds})


def round_detail(request, slug):
    budget_round = _round(request, slug)
    proposals = _visible(budget_round)
    category = clean_text(request.GET.get("kategorie"), "kategorie", max_length=120)
    district = clean_text(request.GET.get("stadtteil"), "stadtteil", max_length=120)
    if category:
        proposals = proposals.filter(category=category)
    if district:
        proposals = proposals.filter(district=district)
    implementing = budget_round.proposals.filter(status__in=Proposal.IMPLEMENTATION_STATUSES)
    return render(
        request,
        "participation/budget/round.html",
        {
            "round": budget_round,
            "proposals": proposals,
            "category": category,
            "district": district,
            "voting_open": services.voting_open(budget_round),
            "implementing": implementing,
            "paper": _public_paper(budget_round),
        },
    )


@login_required
@ratelimit("participation-budget-proposal", limit=10, window_seconds=3600)
def proposal_new(request, slug):
    budget_round = _round(request, slug)
    form = ProposalForm(request.POST or None, budget_round=budget_round)
    if budget_round.phase != BudgetRound.Phase.PROPOSALS:
        messages.info(request, _("Die Vorschlagsphase ist beendet."))
        return redirect("participation:budget_round", slug)
    if request.method == "POST" and form.is_valid():
        try:
            proposal = services.submit_proposal(
                budget_round, author=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request,
                _("Vielen Dank! Ihr Vorschlag hat die Nummer %(n)s.") % {"n": proposal.number},
            )
            return redirect("participation:budget_proposal", slug, proposal.number)
    return render(
        request, "participation/budget/proposal_form.html", {"round": budget_round, "form": form}
    )


def proposal_detail(request, slug, number):
    budget_round = _round(request, slug)
    proposal = get_object_or_404(
        budget_round.proposals.annotate(supporters=Count("supports")), number=number
    )
    supported = (
        request.user.is_authenticated and proposal.supports.filter(user=request.user).exists()
    )
    return render(
        request,
        "participation/budget/proposal.html",
        {
            "round": budget_round,
            "proposal": proposal,
            "supported": supported,
            "can_support": budget_round.phase
            in (BudgetRound.Phase.PROPOSALS, BudgetRound.Phase.REVIEW)
            and proposal.status != Proposal.Status.MERGED,
            "merged": proposal.merged_proposals.all(),
            "way": proposal_way(proposal, request.user),
        },
    )


@require_POST
@login_required
@ratelimit("participation-budget-support", limit=60, window_seconds=600)
def proposal_support(request, slug, number):
    budget_round = _round(request, slug)
    proposal = get_object_or_404(budget_round.proposals, number=number)
    try:
        services.support(proposal, request.user)
        messages.success(request, _("Sie unterstützen diesen Vorschlag."))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("participation:budget_proposal", slug, number)


@login_required
@ratelimit("participation-budget-vote", limit=30, window_seconds=600)
def vote(request, slug):
    budget_round = _round(request, slug)
    if not services.voting_open(budget_round):
        messages.info(request, _("Die Abstimmung ist nicht geöffnet."))
        return redirect("participation:budget_round", slug)
    proposals = list(services.ballot_proposals(budget_round))
    ballot = Ballot.objects.filter(round=budget_round, user=request.user).first()
    current = {e.proposal_id: e.points for e in ballot.entries.all()} if ballot else {}
    form = BallotForm(
        request.POST or None,
        proposals=proposals,
        max_points=budget_round.max_points_per_proposal,
        initial_points=current,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.cast_ballot(budget_round, user=request.user, points=form.points())
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request,
                _(
                    "Ihre Stimme ist gespeichert. "
                    "Sie können sie bis zum Ende der Abstimmung ändern."
                ),
            )
            return redirect("participation:budget_done", slug)
    return render(
        request,
        "participation/budget/vote.html",
        {
            "round": budget_round,
            "form": form,
            "has_ballot": bool(current),
            "used": sum(current.values()),
        },
    )


@ratelimit("participation-budget-code-vote", limit=20, window_seconds=600)
def vote_with_code(request, slug):
    """Vote without an account: the one-time code from the letter or the e-mail."""
    budget_round = _round(request, slug)
    if not services.voting_open(budget_round):
        messages.info(request, _("Die Abstimmung ist nicht geöffnet."))
        return redirect("participation:budget_round", slug)
    code_form = VoteCodeForm(request.POST or None)
    form = BallotForm(
        request.POST or None,
        proposals=list(services.ballot_proposals(budget_round)),
        max_points=budget_round.max_points_per_proposal,
    )
    if request.method == "POST" and code_form.is_valid() and form.is_valid():
        try:
            vote_codes.cast_ballot_with_code(
                budget_round, code=code_form.cleaned_data["code"], points=form.points()
            )
        except ValidationError as exc:
            _errors_to_forms(exc, code_form, form)
        else:
            return render(request, "participation/budget/code_done.html", {"round": budget_round})
    return render(
        request,
        "participation/budget/vote_code.html",
        {"round": budget_round, "form": form, "code_form": code_form},
        status=400 if request.method == "POST" else 200,
    )


def _errors_to_forms(exc, code_form, form):
    if hasattr(exc, "error_dict") and "code" in exc.error_dict:
        code_form.add_error("code", exc.error_dict["code"])
    else:
        form.add_error(None, exc)


@ratelimit("participation-budget-code-request", limit=5, window_seconds=3600)
def request_code(request, slug):
    """A code by e-mail: receiving it is the confirmation; one per address and round."""
    budget_round = _round(request, slug)
    if not services.voting_open(budget_round):
        messages.info(request, _("Die Abstimmung ist nicht geöffnet."))
        return redirect("participation:budget_round", slug)
    form = CodeRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        vote_codes.request_email_code(budget_round, form.cleaned_data["email"])
        # The same answer whether the address had a code already: nobody learns who voted.
        return render(request, "participation/budget/code_sent.html", {"round": budget_round})
    return render(
        request, "participation/budget/code_request.html", {"round": budget_round, "form": form}
    )


@role_required(*STAFF)
def staff_codes(request, slug):
    """Letter codes for the print shop: a CSV, shown once (only hashes are kept)."""
    import csv

    from django.http import HttpResponse

    budget_round = _round(request, slug)
    form = CodeBatchForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        codes = vote_codes.generate_letter_codes(
            budget_round, count=form.cleaned_data["count"], actor=request.user
        )
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="codes-{budget_round.slug}.csv"'
        response["Cache-Control"] = "no-store"
        writer = csv.writer(response)
        writer.writerow(["abstimmungscode"])
        writer.writerows([c] for c in codes)
        return response
    return render(
        request, "participation/budget/staff_codes.html", {"round": budget_round, "form": form}
    )


@login_required
def vote_done(request, slug):
    budget_round = _round(request, slug)
    ballot = get_object_or_404(Ballot, round=budget_round, user=request.user)
    entries = ballot.entries.select_related("proposal").order_by("proposal__number")
    return render(
        request,
        "participation/budget/vote_done.html",
        {"round": budget_round, "entries": entries, "ballot": ballot},
    )


def result(request, slug):
    budget_round = _round(request, slug)
    if budget_round.phase not in (BudgetRound.Phase.RESULTS, BudgetRound.Phase.IMPLEMENTATION):
        raise Http404
    return render(
        request,
        "participation/budget/result.html",
        {
            "round": budget_round,
            "rows": services.top_list(budget_round),
            "tie_rule": services.TIE_RULE,
            "paper": _public_paper(budget_round),
        },
    )


# --- staff -------------------------------------------------------------------------


@role_required(*STAFF)
def staff_round(request, slug):
    budget_round = _round(request, slug)
    proposals = budget_round.proposals.annotate(supporters=Count("supports"))
    return render(
        request,
        "participation/budget/staff_round.html",
        {
            "round": budget_round,
            "proposals": proposals,
            "phases": BudgetRound.Phase.choices,
            "review_form": ReviewForm(),
            "merge_form": MergeForm(),
            "progress_form": ProgressForm(),
            "milestone_form": MilestoneForm(),
            "rows": services.results(budget_round)[:50],
            "paper": services.council_paper(budget_round),
        },
    )


@require_POST
@role_required(*STAFF)
def staff_action(request, slug, action, number=None):
    budget_round = _round(request, slug)
    proposal = get_object_or_404(budget_round.proposals, number=number) if number else None
    try:
        _run_action(request, budget_round, proposal, action)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("participation:budget_staff", slug)


def _run_action(request, budget_round, proposal, action):
    actor = request.user
    if action == "phase":
        services.set_phase(budget_round, phase=request.POST.get("phase", ""), actor=actor)
        messages.success(request, _("Phase geändert."))
    elif action == "paper":
        known = services.council_paper(budget_round)
        paper = services.create_council_paper(budget_round, actor=actor)
        if known is not None:
            messages.info(
                request,
                _("Die Liste ist bereits als Drucksache %(ref)s übergeben.")
                % {"ref": paper.reference},
            )
        else:
            messages.success(
                request,
                _("Die Liste wurde als Drucksache %(ref)s an das Ratsbüro übergeben.")
                % {"ref": paper.reference},
            )
    elif action == "proposal_paper" and proposal:
        known = proposal_paper(proposal)
        paper = create_proposal_paper(proposal, actor=actor)
        messages.success(
            request,
            (
                _("Der Vorschlag ist bereits Drucksache %(ref)s.")
                if known
                else _("Der Vorschlag wurde als Drucksache %(ref)s an das Ratsbüro übergeben.")
            )
            % {"ref": paper.reference},
        )
    elif action == "review" and proposal:
        form = _valid(ReviewForm(request.POST))
        data = form.cleaned_data
        services.review(
            proposal,
            actor=actor,
            feasible=data["feasible"] == "yes",
            note=data["note"],
            cost=data["cost"],
        )
        messages.success(request, _("Prüfung gespeichert."))
    elif action == "merge" and proposal:
        form = _valid(MergeForm(request.POST))
        into = budget_round.proposals.filter(number=form.cleaned_data["into"]).first()
        if into is None:
            raise ValidationError(_("Diesen Vorschlag gibt es nicht."))
        services.merge(proposal, into=into, actor=actor)
        messages.success(request, _("Vorschläge zusammengeführt."))
    elif action == "progress" and proposal:
        data = _valid(ProgressForm(request.POST)).cleaned_data
        services.update_progress(
            proposal, actor=actor, status=data["status"], percent=data["percent"], note=data["note"]
        )
        messages.success(request, _("Umsetzungsstand gespeichert."))
    elif action == "milestone" and proposal:
        data = _valid(MilestoneForm(request.POST)).cleaned_data
        services.add_milestone(proposal, actor=actor, **data)
        messages.success(request, _("Meilenstein gespeichert."))
    else:
        raise Http404


def _valid(form):
    if not form.is_valid():
        errors = [
            f"{form.fields[name].label if name in form.fields else ''}: {' '.join(e)}"
            for name, e in form.errors.items()
        ]
        raise ValidationError(errors)
    return form
