"""Debug helper: show how the search analyses and ranks questions on the demo catalog.

.venv/bin/python benchmarks/explain.py "Frage 1" "Frage 2" ...
"""

import sys

from _django import load_demo_municipality, setup_django_with_test_db


def main(questions):
    setup_django_with_test_db()
    municipality = load_demo_municipality()
    from rathaus.catalog.search import get_index

    index = get_index(municipality)
    for question in questions:
        groups, suggestion, unknown = index.analyse(question)
        print(
            f"\n{question!r}\n  groups: {groups}\n  suggestion: {suggestion!r} unknown: {unknown}"
        )
        for doc, score in index.rank(groups, 5):
            print(f"  {score:7.3f}  {index.docs[doc].name}")


if __name__ == "__main__":
    main(sys.argv[1:])
