"""An English answer that shows catalog text only available in German marks it
lang="de" on the page (ADR 0120): fee labels, document lists, requirements."""

import pytest

from rathaus.assistant.templatetags.assistant_tags import answer_html

pytestmark = pytest.mark.django_db


def test_german_fee_labels_and_documents_in_an_english_answer_are_marked(client_a, catalog_a):
    # The small catalog has no English fee labels or documents for the identity card.
    cost = client_a.post(
        "/assistent/", {"question": "How much does an identity card cost?", "turn": 0}
    )
    page = client_a.get(cost["Location"]).content.decode()
    assert "fee names in German" in page
    assert '<span lang="de">ab 24 Jahren</span>' in page
    assert '<span lang="de">unter 24 Jahren</span>' in page
    conversation = cost["Location"].split("c=")[1].split("#")[0]
    documents = client_a.post(
        "/assistent/",
        {"question": "What documents do I need?", "conversation": conversation, "turn": 1},
    )
    page = client_a.get(documents["Location"]).content.decode()
    assert '<span lang="de">biometrisches Passfoto</span>' in page


def test_german_answers_carry_no_extra_marks(client_a, catalog_a):
    response = client_a.post(
        "/assistent/", {"question": "Was kostet ein Personalausweis?", "turn": 0}
    )
    page = client_a.get(response["Location"]).content.decode()
    assert "ab 24 Jahren" in page and '<span lang="de">' not in page


def test_marked_text_is_escaped():
    html = answer_html("Bring:\n• <b>Pass</b> & Foto", ["<b>Pass</b> & Foto"])
    assert html == 'Bring:<br>• <span lang="de">&lt;b&gt;Pass&lt;/b&gt; &amp; Foto</span>'
