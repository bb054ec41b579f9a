"""Every bad-input case of test_bad_input.py raises its whole message, word for word.

test_bad_input.py checks a fragment of each message; this test pins the full text
(tests/fixtures/error_messages.json), so a message that loses the argument's name, the
expected shape or the hint fails a test (mutation testing showed such changes went
unnoticed). After a deliberate wording change, regenerate the file with
``PYTHONPATH=. python tests/test_error_messages.py --update`` and review the diff.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from test_bad_input import CASES  # noqa: E402

GOLDEN = Path(__file__).parent / "fixtures" / "error_messages.json"


def _message(call) -> str:
    try:
        call()
    except ValueError as exc:
        return re.sub(r" at 0x[0-9a-f]+", " at 0x...", str(exc))
    return "(no ValueError)"


def _all_messages() -> dict[str, str]:
    return {f"{m}-{c}": _message(call) for m, c, call, _ in CASES}


@pytest.fixture(scope="module")
def golden() -> dict[str, str]:
    return json.loads(GOLDEN.read_text())


@pytest.mark.parametrize(
    ("module", "case", "call"),
    [(m, c, call) for m, c, call, _ in CASES],
    ids=[f"{m}-{c}" for m, c, *_ in CASES],
)
def test_full_error_message(golden, module, case, call):
    assert _message(call) == golden[f"{module}-{case}"]


def test_golden_file_lists_every_case(golden):
    assert sorted(golden) == sorted(f"{m}-{c}" for m, c, *_ in CASES)


if __name__ == "__main__" and sys.argv[1:] == ["--update"]:
    GOLDEN.write_text(json.dumps(_all_messages(), indent=1, sort_keys=True) + "\n")
    print(f"wrote {GOLDEN}")
