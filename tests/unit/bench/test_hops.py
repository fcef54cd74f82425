"""`python -m bench.hops`' options: the kinds it measures, and a clear refusal of others."""

from __future__ import annotations

import pytest

from bench.hops import KINDS, parse


def test_every_kind_by_default_and_a_chosen_few_in_their_order() -> None:
    assert parse([]).kinds == list(KINDS)
    chosen = parse(["--only", "gateway,checkout", "--rounds", "10", "--profile", "checkout"])
    assert (chosen.kinds, chosen.rounds, chosen.profile) == (["gateway", "checkout"], 10, "checkout")


def test_an_unknown_kind_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        parse(["--only", "checkout,teleport"])
    assert "unknown kinds: teleport" in capsys.readouterr().err
