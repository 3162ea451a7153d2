"""The extraction eval: the benchmark's shingle metric, and a run on a small dataset in its layout."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from newsweave.errors import EvalError
from newsweave.eval import run_eval
from newsweave.eval.extraction import page_counts, scores

BODY = ("Der Stadtrat von Bonn hat am Mittwoch den Bau einer neuen Brücke über den Rhein beschlossen. "
        "Die Kosten liegen bei vierzig Millionen Euro, sagte der Oberbürgermeister nach der Sitzung. "
        "Die Arbeiten sollen im kommenden Frühjahr beginnen und drei Jahre dauern.")


def test_metric_exact_and_disjoint() -> None:
    assert page_counts(BODY, BODY) == (1.0, 0.0, 0.0)
    tp, fp, fn = page_counts(BODY, "völlig andere Wörter stehen hier ohne jeden Bezug")
    assert tp == 0 and fp > 0 and fn > 0
    assert scores([(1.0, 0.0, 0.0)])["f1"] == 1.0
    half = scores([page_counts(BODY, BODY + " Teilen Sie diesen Artikel auf Facebook und Twitter mit Freunden")])
    assert 0.5 < half["precision"] < 1.0 and half["recall"] == 1.0


@pytest.mark.slow
def test_eval_on_small_dataset(tmp_path: Path) -> None:
    (tmp_path / "html").mkdir()
    page = (f"<html><head><title>Neue Brücke</title></head><body><nav><a href='/'>Start</a> <a href='/p'>Politik</a>"
            f"</nav><article><h1>Neue Brücke für Bonn</h1>{''.join(f'<p>{s}.</p>' for s in BODY.split('. '))}"
            f"</article><footer>Impressum · Datenschutz · Cookies akzeptieren</footer></body></html>")
    (tmp_path / "html" / "p1.html.gz").write_bytes(gzip.compress(page.encode()))
    (tmp_path / "ground-truth.json").write_text(json.dumps({"p1": {"articleBody": BODY, "url": "http://x"}}))
    report, m = run_eval("extraction", tmp_path)
    assert m["pages"] == 1 and m["f1"] > 0.8
    assert "trafilatura" in report


def test_missing_layout(tmp_path: Path) -> None:
    with pytest.raises(EvalError, match=r"ground-truth\.json"):
        run_eval("extraction", tmp_path)
    with pytest.raises(EvalError, match="valid tasks"):
        run_eval("nonsense", tmp_path)
