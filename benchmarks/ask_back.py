"""Fallbacks and wrong answers of the assistant against the search's first services
(issue 22, ADR 0109): what the search offers where the assistant gives up or commits wrongly.

Run:  RATHAUS_MODE=demo .venv/bin/python benchmarks/ask_back.py [--features]

Over the development sets (assistant_dev, assistant_blind … assistant_blind8; never the
unseen set of the round) the assistant answers every question twice in one process, with
``RATHAUS_ASSISTANT_DISPUTED_CHOICES`` off and on (ADR 0109), alternating per question,
and prints right / wrong / fallback and the asks per set, and the p95 of each mode.
``--features`` prints, per verdict and answer kind of the old mode, the search's first
three: whether the right service is among them, the score margin and whether the three
share a question word that names services.
"""

import argparse
import re
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from assistant import blind_verdict, load_demo, percentile, setup_django  # noqa: E402

DATA = Path(__file__).resolve().parent / "data"
SETS = ["assistant_dev.tsv"] + [
    f"assistant_blind{n}.tsv" for n in ("", "2", "3", "4", "5", "6", "7", "8")
]


def rows(path: Path):
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            yield line.rstrip("\n").split("\t")


def shared_word(top) -> bool:
    """Some question word that names services is explained, at least in part, by all."""
    count = len(top[0].explains)
    return any(top[0].naming[i] and all(c.explains[i] > 0 for c in top) for i in range(count))


def kind_of(answer) -> str:
    if answer.service is not None:
        return "service"
    if answer.choices:
        return "ask"
    if getattr(answer, "steps", []):
        return "steps"
    if getattr(answer, "elsewhere", None):
        return "elsewhere"
    return "fallback"


def features(municipality, question, kind, pattern, verdict, answer, table):
    from rathaus.assistant.retrieval import retrieve

    found = retrieve(municipality, question)
    top = list(found.candidates[:3])
    key = (kind if kind == "outside" else "town", verdict, kind_of(answer))
    counts = table.setdefault(key, Counter())
    if not top:
        counts["no candidates"] += 1
        return
    hit3 = any(re.search(pattern, c.service.name, re.IGNORECASE) for c in top)
    hit5 = any(re.search(pattern, c.service.name, re.IGNORECASE) for c in found.candidates[:5])
    margin = top[0].score / top[1].score if len(top) > 1 and top[1].score else 9.0
    shared = len(top) == 3 and shared_word(top)
    counts["n"] += 1
    counts["right in top3"] += hit3
    counts["right in top5"] += hit5
    counts["share a naming word"] += shared
    counts["share + right in top3"] += shared and hit3
    counts["margin<1.2"] += margin < 1.2
    counts[f"words={min(len(found.topic_words), 5)}"] += 1


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--features", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        setup_django(Path(tmp))
        from django.test import override_settings

        from rathaus.assistant.dialogue import respond

        municipality = load_demo()
        timings = {False: [], True: []}
        total = {False: Counter(), True: Counter()}
        table: dict = {}
        for name in SETS:
            counts = {False: Counter(), True: Counter()}
            for kind, question, pattern in rows(DATA / name):
                for mode in (False, True):
                    with override_settings(RATHAUS_ASSISTANT_DISPUTED_CHOICES=mode):
                        start = time.perf_counter()
                        answer = respond(municipality, question).answer
                        timings[mode].append(time.perf_counter() - start)
                    verdict = blind_verdict(answer, kind, pattern)
                    counts[mode][verdict] += 1
                    counts[mode]["asks"] += bool(answer.choices)
                    if not mode and args.features:
                        features(municipality, question, kind, pattern, verdict, answer, table)
            for mode in (False, True):
                report(name, mode, counts[mode])
                total[mode].update(counts[mode])
        for mode in (False, True):
            report("all sets", mode, total[mode])
            print(
                f"  p95 {'new' if mode else 'old'}: {percentile(timings[mode], 0.95) * 1000:.1f} ms"
            )
        for key in sorted(table):
            print(key, dict(table[key]))


def report(name, mode, c):
    print(
        f"{name:22} {'new' if mode else 'old'}: right {c['right']:4} wrong "
        f"{c['wrong']:4} fallback {c['fallback']:4} (asks {c['asks']:3})"
    )


if __name__ == "__main__":
    main()
