"""YAML reading: positions, YAML 1.2 scalars, duplicate keys, merge keys, hostile input."""

from __future__ import annotations

from civicloud.spec.yamlsource import parse_text


def test_yaml_1_2_scalars_norway_stays_a_country():
    [doc], errors = parse_text("a: [NO, no, yes, on, off, ~, 0o17, 0x1f, 1.5, 012, '7']\n", "x")
    assert errors == []
    assert doc.data["a"] == ["NO", "no", "yes", "on", "off", None, 15, 31, 1.5, 12, "7"]


def test_dates_stay_text_for_the_models_to_parse():
    [doc], _ = parse_text("expires: 2026-12-31\n", "x")
    assert doc.data == {"expires": "2026-12-31"}


def test_merge_keys_and_explicit_keys_win():
    text = "base: &b {flavor: m1.small, image: debian-12}\nserver: {<<: *b, image: debian-13}\n"
    [doc], errors = parse_text(text, "x")
    assert errors == []
    assert doc.data["server"] == {"flavor": "m1.small", "image": "debian-13"}
    assert doc.source.locate(("server", "image"))[1:] == (2, 18)


def test_several_documents_in_one_file_keep_absolute_lines():
    docs, errors = parse_text("a: 1\n---\nb: 2\n", "x")
    assert errors == []
    assert [d.data for d in docs] == [{"a": 1}, {"b": 2}]
    assert docs[1].source.locate(("b",)) == ("x", 3, 1)


def test_an_alias_bomb_is_an_error_not_a_hang():
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 8)]
    docs, errors = parse_text("\n".join(lines) + "\n", "x")
    assert docs == []
    assert errors[0].message == "document too large (too many aliases?)"


def test_control_characters_are_located():
    _, errors = parse_text("a: 1\nb: \x07\n", "x")
    assert (errors[0].line, errors[0].column) == (2, 4)
    assert "control characters" in errors[0].message


def test_deep_nesting_is_an_error():
    _, errors = parse_text("[" * 5000 + "]" * 5000, "x")
    assert errors and errors[0].line == 1
