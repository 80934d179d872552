"""22/SVV/0792 board access flag (issue 18): a change through the Django admin goes
through council.services and leaves an audit entry with who, from and to."""

import pytest

from rathaus.core.models import AuditEntry

pytestmark = pytest.mark.django_db


def form_data(board, flag: bool) -> dict:
    data = {
        "body": board.body_id,
        "name": board.name,
        "short_name": board.short_name,
        "kind": board.kind,
        "description": board.description,
        "rules_of_procedure": board.rules_of_procedure,
        "start_date": "",
        "end_date": "",
        "website": "",
        "place": "",
        "sub_organization_of": "",
        "_save": "Sichern",
    }
    if flag:
        data["councillors_may_read_non_public"] = "on"
    return data


def test_admin_change_of_the_flag_is_audited(client_a, council_a):
    board = council_a.board
    assert not board.councillors_may_read_non_public
    client_a.force_login(council_a.office_user)
    url = f"/verwaltung/admin/council/organization/{board.pk}/change/"
    response = client_a.post(url, form_data(board, True))
    assert response.status_code == 302, response.content.decode()[:2000]
    board.refresh_from_db()
    assert board.councillors_may_read_non_public
    entry = AuditEntry.objects.get(action="council.board_access_changed")
    assert entry.actor_id == council_a.office_user.pk
    assert entry.data == {"from": False, "to": True}
    # saving other fields without touching the flag adds no access entry
    data = form_data(board, True)
    data["description"] = "Neue Aufgaben"
    assert client_a.post(url, data).status_code == 302
    assert AuditEntry.objects.filter(action="council.board_access_changed").count() == 1
    board.refresh_from_db()
    assert board.description == "Neue Aufgaben"
    # and back
    assert client_a.post(url, form_data(board, False)).status_code == 302
    board.refresh_from_db()
    assert not board.councillors_may_read_non_public
    assert AuditEntry.objects.filter(action="council.board_access_changed").count() == 2


def test_new_board_with_the_flag_is_audited(client_a, council_a):
    client_a.force_login(council_a.office_user)
    data = form_data(council_a.board, True)
    data["name"] = "Naturschutzbeirat"
    response = client_a.post("/verwaltung/admin/council/organization/add/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    entry = AuditEntry.objects.get(action="council.board_access_changed")
    assert entry.data == {"from": False, "to": True}
