"""Mutation testing report (``make mutation``; a benchmark: slow, never part of the test suite).

Takes the project's source and a fast subset of its tests; returns a JSON report
(``build/mutation/report.json``) with, per mutated module, the mutants tried and
how many the tests killed, and the name of every surviving mutant (``mutmut show
NAME`` in the work folder prints its diff). It runs mutmut 3 (its own venv: it is
not a dependency of the project, see docs/mutation-report.md) in a copy of the
project under ``build/mutation/work`` so that the checkout is never touched:

- mutated: ``scripts/validate.py``, ``scripts/annotations.py`` and the publish code of
  ``scripts/build.py`` (the functions in ``PUBLISH_FUNCTIONS``);
- tests: ``TESTS``, those that exercise these modules;
- every publish mutant is run; of the validator and the annotation loader, a sample
  of ``--sample`` mutants each, drawn with a fixed seed (all of them take hours on two
  cores), so two runs of one tree try the same mutants.

    make mutation                      # = .venv-mut/bin/python -m benchmarks.mutation --sample 60
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT_DIR = ROOT / "build" / "mutation"
MUTATED = ("scripts/validate.py", "scripts/annotations.py", "scripts/build.py", "scripts/transaction.py")
PUBLISH_FUNCTIONS = ("publish", "build_and_publish")
TESTS = ("tests/test_integrity.py", "tests/test_annotations.py", "tests/test_build.py", "tests/test_untrusted.py",
         "tests/test_bounds.py", "tests/test_transaction.py")
# Modules sampled (``--sample`` mutants each); the publish functions of scripts/build.py are all run.
SAMPLED = ("scripts.validate", "scripts.annotations", "scripts.transaction")
# What the copy leaves out: environments, outputs and caches.
SKIPPED = {".git", ".venv", ".venv-bench", ".venv-cff", ".venv-mut", "build", "dist", "mutants", "__pycache__",
           ".pytest_cache", ".mypy_cache", ".ruff_cache"}
KILLED_CODES = {1, 3}


def copy_project(work: Path) -> None:
    """The project's files (without environments and outputs) into ``work``, with mutmut's configuration."""
    if work.exists():
        shutil.rmtree(work)
    shutil.copytree(ROOT, work, ignore=lambda _dir, names: [n for n in names if n in SKIPPED], symlinks=True)
    tests = [t for t in TESTS if (work / t).is_file()]
    copied = sorted(p.name for p in work.iterdir() if p.name not in {"scripts", "tests", "setup.cfg"})
    lines = ["[mutmut]", "source_paths = scripts",
             "only_mutate =", *[f"    {m}" for m in MUTATED],
             "also_copy =", *[f"    {c}" for c in copied],
             "pytest_add_cli_args_test_selection =", *[f"    {t}" for t in tests],
             "pytest_add_cli_args =", "    -p", "    no:cacheprovider", "    -q",
             "timeout_multiplier = 5.0", "use_git_change_detection = false"]
    (work / "setup.cfg").write_text("\n".join(lines) + "\n", encoding="utf-8")


def mutmut(work: Path, *names: str) -> None:
    """``mutmut run NAMES`` in ``work`` with one worker (the machine is shared)."""
    command = [str(Path(sys.executable).parent / "mutmut"), "run", "--max-children", "1", *names]
    env = {**os.environ, "GX_ANALYTICS_ENABLED": "false", "PYTHONDONTWRITEBYTECODE": "1"}
    subprocess.run(command, cwd=work, env=env, check=False, stdout=subprocess.DEVNULL)


def exit_codes(work: Path) -> dict[str, int | None]:
    """Mutant name -> mutmut's exit code (None: not run) of every mutant generated."""
    codes: dict[str, int | None] = {}
    for module in MUTATED:
        meta = work / "mutants" / f"{module}.meta"
        if meta.is_file():
            codes.update(json.loads(meta.read_text(encoding="utf-8"))["exit_code_by_key"])
    return codes


def module_of(name: str) -> str:
    return name.split(".x_")[0].split(".x\u01c1")[0]


def is_publish(name: str) -> bool:
    return any(f".x_{function}__mutmut_" in name for function in PUBLISH_FUNCTIONS)


def chosen(codes: dict[str, int | None], sample: int, seed: int, modules: tuple[str, ...]) -> list[str]:
    """Every publish mutant of scripts/build.py, and ``sample`` mutants of each module of ``modules`` drawn
    with ``seed``."""
    picked = sorted(n for n in codes if is_publish(n)) if "scripts.build" in modules else []
    for module in (m for m in SAMPLED if m in modules):
        names = sorted(n for n in codes if module_of(n) == module)
        picked += sorted(random.Random(seed).sample(names, min(sample, len(names))))
    return picked


def summary(codes: dict[str, int | None], names: list[str], seconds: float, sample: int, seed: int) -> dict:
    """Per module: mutants generated, tried, killed, survived and the survivors' names."""
    modules: dict[str, dict] = {}
    for name in names:
        module = "scripts.build (publish)" if is_publish(name) else module_of(name)
        entry = modules.setdefault(module, {"tried": 0, "killed": 0, "survived": 0, "other": 0, "survivors": []})
        code = codes.get(name)
        entry["tried"] += 1
        if code in KILLED_CODES:
            entry["killed"] += 1
        elif code == 0:
            entry["survived"] += 1
            entry["survivors"].append(name)
        else:
            entry["other"] += 1   # no test reaches it, timeout, not run
    generated = {m: sum(1 for n in codes if module_of(n) == m) for m in {module_of(n) for n in codes}}
    return {"sample_per_module": sample, "seed": seed, "tests": list(TESTS), "seconds": round(seconds),
            "generated": dict(sorted(generated.items())), "modules": dict(sorted(modules.items()))}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sample", type=int, default=60, help="mutants tried per module besides publish")
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--out", type=Path, default=OUT_DIR / "report.json")
    parser.add_argument("--only", nargs="+", default=list(SAMPLED) + ["scripts.build"], metavar="MODULE",
                        help="mutate only these (scripts.build: its publish functions; default: all)")
    args = parser.parse_args()
    work = OUT_DIR / "work"
    started = time.monotonic()
    copy_project(work)
    if "scripts.build" in args.only:
        mutmut(work, *[f"scripts.build.x_{function}__mutmut_*" for function in PUBLISH_FUNCTIONS])
    else:  # mutmut generates every mutant on its first run; running one name only does that
        mutmut(work, "scripts.build.x_publish__mutmut_1")
    codes = exit_codes(work)
    names = chosen(codes, args.sample, args.seed, tuple(args.only))
    mutmut(work, *[n for n in names if not is_publish(n)])
    document = summary(exit_codes(work), names, time.monotonic() - started, args.sample, args.seed)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    print(json.dumps({m: {k: v for k, v in e.items() if k != "survivors"} for m, e in document["modules"].items()}))


if __name__ == "__main__":
    main()
