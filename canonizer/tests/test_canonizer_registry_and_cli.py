from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from canonizer import (
    TransformChecksumError,
    TransformNotFoundError,
    canonicalize_many,
    get_transform,
    list_transforms,
    run_golden_tests,
)
from canonizer.cli import main
from canonizer.registry import load_transform

GOLDEN = Path(get_transform("email/gmail").tests_dir / "inquiry_multipart_alternative_rfc2047.json")


def test_registry_lists_both_email_transforms_with_lineage_refs() -> None:
    refs = {t.id: t.ref for t in list_transforms()}
    assert set(refs) >= {"email/gmail", "email/graph"}
    gmail = get_transform("email/gmail@1.0.0")
    assert gmail.ref.startswith("email/gmail@1.0.0+") and len(gmail.ref.split("+")[1]) == 12
    with pytest.raises(TransformNotFoundError, match="known: .*email/gmail@1.0.0"):
        get_transform("email/outlook")


def test_a_spec_edited_without_updating_its_checksum_is_refused(tmp_path: Path) -> None:
    copy = tmp_path / "gmail"
    shutil.copytree(get_transform("email/gmail").directory, copy)
    (copy / "spec.jsonata").write_text((copy / "spec.jsonata").read_text().replace('"gmail:"', '"gm:"'))
    with pytest.raises(TransformChecksumError, match="spec_sha256"):
        load_transform(copy)


def test_every_golden_test_passes_and_a_wrong_expectation_fails(tmp_path: Path) -> None:
    results = run_golden_tests()
    assert results and all(r.passed for r in results), [r for r in results if not r.passed]
    copy = tmp_path / "gmail"
    shutil.copytree(get_transform("email/gmail").directory, copy)
    case_path = copy / "tests" / GOLDEN.name
    case = json.loads(case_path.read_text())
    case["expected"]["subject"] = "something else"
    case_path.write_text(json.dumps(case))
    failed = [r for r in run_golden_tests([load_transform(copy)]) if not r.passed]
    assert [(r.case, r.detail) for r in failed] == [(GOLDEN.stem, "fields differ: subject")]


def test_a_bad_record_in_a_batch_does_not_stop_the_others() -> None:
    good = json.loads(GOLDEN.read_text())
    bindings = good["bindings"]
    outcomes = list(canonicalize_many([good["input"], {"id": "x"}, good["input"]], "email/gmail", bindings))
    assert [o.output is not None for o in outcomes] == [True, False, True]
    assert outcomes[1].error is not None and outcomes[1].error.rule == "input.required"


def test_can_transform_run_streams_jsonl_and_reports_rejects_by_line(tmp_path: Path) -> None:
    case = json.loads(GOLDEN.read_text())
    source = tmp_path / "in.jsonl"
    source.write_text(json.dumps(case["input"]) + "\n" + json.dumps({"id": "broken", "snippet": "SECRET"}) + "\n")
    out = tmp_path / "out.jsonl"
    meta = get_transform("email/gmail").directory / "meta.yaml"
    result = CliRunner().invoke(
        main,
        [
            "transform",
            "run",
            "--meta",
            str(meta),
            "--input",
            str(source),
            "--output",
            str(out),
            "--bind",
            'mailbox="praxis@praxis-weber.example"',
            "--bind",
            'practice_addresses=["praxis@praxis-weber.example"]',
        ],
        catch_exceptions=False,
    )
    assert result.exit_code == 1
    assert "line 2: rejected, field 'threadId' violates rule 'input.required'" in result.output
    assert "SECRET" not in result.output
    lines = out.read_text().splitlines()
    assert len(lines) == 1 and json.loads(lines[0])["subject"] == case["expected"]["subject"]


def test_can_transform_list_and_test_commands() -> None:
    listed = CliRunner().invoke(main, ["transform", "list", "--json"], catch_exceptions=False)
    assert {row["id"] for row in json.loads(listed.output)} >= {"email/gmail", "email/graph"}
    tested = CliRunner().invoke(main, ["transform", "test"], catch_exceptions=False)
    assert tested.exit_code == 0 and "0 failed" in tested.output


def test_can_validate_names_the_document_rule_and_field(tmp_path: Path) -> None:
    data = tmp_path / "emails.jsonl"
    expected = json.loads(GOLDEN.read_text())["expected"]
    broken = {**expected, "direction": "sideways"}
    data.write_text(json.dumps(expected) + "\n" + json.dumps(broken) + "\n")
    result = CliRunner().invoke(
        main,
        ["validate", "--schema", "iglu:org.canonical/email/jsonschema/1-0-0", "--data", str(data)],
        catch_exceptions=False,
    )
    assert result.exit_code == 1
    assert "document 2: field 'direction' violates schema rule 'enum'" in result.output
    assert "1 valid, 1 invalid" in result.output


def test_input_known_valid_under_the_transforms_schema_is_not_validated_again() -> None:
    import pytest

    from canonizer.engine import apply_transform
    from canonizer.exceptions import TransformError
    from canonizer.registry import get_transform

    transform = get_transform("email/gmail")
    bindings = {"mailbox": "praxis@praxis-weber.example", "practice_addresses": []}
    record = {"id": "m1", "threadId": "t1"}  # no payload, no internalDate: fails the input schema
    with pytest.raises(TransformError) as caught:
        apply_transform(transform, record, bindings)
    assert caught.value.rule.startswith("input.")
    with pytest.raises(TransformError) as caught:
        apply_transform(transform, record, bindings, checked_against="iglu:com.example/other/jsonschema/1-0-0")
    assert caught.value.rule.startswith("input.")
    try:  # told it was checked: the schema is not consulted, whatever the transform then makes of it
        apply_transform(transform, record, bindings, checked_against=transform.input_schema)
    except TransformError as error:
        assert not error.rule.startswith("input.")
