"""Inputs built to break the drafter: it drafts them (every stage is linear in the text's length) and
a per-article time limit stops a runaway with a message naming the file, while the other files of the
batch are drafted. Times are measured by ``python -m benchmarks.bench_drafter --adversarial``."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any
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


def _in_a_thread(function: Callable[[], Any]) -> Any:
    """What ``function`` returns or raises, run in a thread that is not the main one (as on a Dask worker)."""
    outcome: list[Any] = []

    def run() -> None:
        try:
            outcome.append(function())
        except BaseException as exc:  # noqa: BLE001 -- handed back to the test
            outcome.append(exc)

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(30)
    assert outcome, "the thread did not finish"
    return outcome[0]


def _busy(seconds: float) -> int:
    """Python instructions for ``seconds`` (a limit stops a thread between instructions, not in a sleep)."""
    end, turns = time.monotonic() + seconds, 0
    while time.monotonic() < end:
        turns += 1
    return turns


def test_time_limit_interrupts_a_thread_that_is_not_the_main_one() -> None:
    def slow() -> str:
        with time_limit(0.2, "data/raw/slow.txt"):
            _busy(5)
        return "not stopped"

    def quick() -> str:
        with time_limit(0.3, "data/raw/quick.txt"):
            _busy(0.01)
        _busy(0.6)  # past the limit, after the block: nothing may be raised here
        return "done"

    started = time.monotonic()
    stopped = _in_a_thread(slow)
    assert isinstance(stopped, DraftTimeout) and time.monotonic() - started < 3
    assert str(stopped).startswith("data/raw/slow.txt: drafting stopped after 0.2 s")
    assert _in_a_thread(quick) == "done"


def test_time_limit_of_zero_means_no_limit() -> None:
    with time_limit(0, "x"):
        time.sleep(0.01)


@pytest.mark.parametrize("jobs", [1, 2])  # 2: drafted in the threads of Dask workers, not in a main thread
def test_a_slow_article_is_reported_by_name_and_the_batch_goes_on(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                   capsys: pytest.CaptureFixture[str],
                                                                   jobs: int) -> None:
    import scripts.draft as draft

    slow = tmp_path / "slow.txt"
    slow.write_text("Slow article.\n\nIt waits for ever, the writer said.\n", encoding="utf-8")
    quick = tmp_path / "quick.txt"
    quick.write_text("Quick article.\n\nIt is done at once, the editor said.\n", encoding="utf-8")
    original = draft._draft_text

    def draft_or_hang(text: str, registry: dict) -> tuple:
        if "for ever" in text:
            _busy(30)
        return original(text, registry)

    monkeypatch.setattr(draft, "_draft_text", draft_or_hang)
    monkeypatch.setattr(limits, "DRAFT_TIME_LIMIT", 0.5)
    started = time.monotonic()
    assert main(["draft", str(slow), str(quick), "--out", str(tmp_path / "out"), "--jobs", str(jobs)]) == 1
    assert time.monotonic() - started < 25
    err = capsys.readouterr().err
    assert f"{slow}: drafting stopped after 0.5 s" in err
    assert len(list((tmp_path / "out" / "annotations").glob("*.yaml"))) == 1
