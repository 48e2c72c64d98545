"""Inputs built to break the drafter: it drafts them (every stage is linear in the text's length) and
a per-article time limit stops a runaway with a message naming the file, while the other files of the
batch are drafted. Times are measured by ``python -m benchmarks.bench_drafter --adversarial``."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from scripts.__main__ import main
from scripts.draft import draft_text
from scripts.drafter import limits
from scripts.drafter.limits import DraftTimeout, time_limit
from scripts.drafter.mentions import draft_mentions

# generous: far above what these inputs take; a return of quadratic time makes them fail, not hang
GUARD_SECONDS = 60.0


def adversarial_texts() -> dict[str, str]:
    """The inputs of issue 11 (a line of capitals, quote marks, numbers) and cousins of them."""
    return {
        "capitals": "A" * 400 + " –\n",
        "capital words": " ".join(["ABC"] * 400) + "\n",
        "quote marks": '"' * 40_000 + "\n",
        "curly quote marks": "“ ”" * 10_000 + "\n",
        "numbers": " ".join(str((i * 7919) % 10_000) for i in range(4_000)) + "\n",
        "digits": "1" * 20_000 + "\n",
        "one long sentence": "the army said that " * 2_000 + "12 soldiers died.\n",
        # a number in each of thousands of relative clauses of one sentence: the period of each is looked
        # for near it, not across the sentence (quadratic, this took minutes)
        "relative clauses": "Militants killed 5 soldiers" + ", which in 2020 hurt 3 people" * 3_000 + ".\n",
    }


@pytest.mark.parametrize("name", sorted(adversarial_texts()))
def test_adversarial_inputs_draft_within_the_guard(name: str) -> None:
    text = adversarial_texts()[name]
    mentions, _proposed, quotes, statistics, _warnings = draft_text(text, {}, label=name, seconds=GUARD_SECONDS)
    for row in [*mentions, *quotes, *statistics]:
        assert text[row["start"]:row["end"]] == row["text"]


def test_a_run_of_capitals_is_no_dateline_of_many_places() -> None:
    _mentions, proposed = draft_mentions("A" * 400 + " – the rest of the line\n", {})
    assert len(proposed.entities) <= 1


def test_every_number_of_a_long_line_is_drafted() -> None:
    text = adversarial_texts()["numbers"]
    _mentions, _proposed, _quotes, statistics, _warnings = draft_text(text, {}, seconds=GUARD_SECONDS)
    assert len(statistics) >= 3_000


def test_time_limit_interrupts_and_names_the_article() -> None:
    with pytest.raises(DraftTimeout, match="data/raw/slow.txt: drafting stopped after 0.2 s"):
        with time_limit(0.2, "data/raw/slow.txt"):
            time.sleep(5)


def test_time_limit_of_zero_means_no_limit() -> None:
    with time_limit(0, "x"):
        time.sleep(0.01)


def test_a_slow_article_is_reported_by_name_and_the_batch_goes_on(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    import scripts.draft as draft

    slow = tmp_path / "slow.txt"
    slow.write_text("Slow article.\n\nIt waits for ever, the writer said.\n", encoding="utf-8")
    quick = tmp_path / "quick.txt"
    quick.write_text("Quick article.\n\nIt is done at once, the editor said.\n", encoding="utf-8")
    original = draft._draft_text

    def draft_or_hang(text: str, registry: dict) -> tuple:
        if "for ever" in text:
            time.sleep(30)
        return original(text, registry)

    monkeypatch.setattr(draft, "_draft_text", draft_or_hang)
    monkeypatch.setattr(limits, "DRAFT_TIME_LIMIT", 0.5)
    assert main(["draft", str(slow), str(quick), "--out", str(tmp_path / "out")]) == 1
    err = capsys.readouterr().err
    assert f"{slow}: drafting stopped after 0.5 s" in err
    assert len(list((tmp_path / "out" / "annotations").glob("*.yaml"))) == 1
