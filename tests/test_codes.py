"""Access codes: from EXCON_CODES, or generated once and kept."""

import pytest

from control.codes import ALPHABET, CodesError, code_digest, new_code, parse_codes_env, role_for_code, settle_codes

ROLES = ["director", "observer", "team:alpha"]


def test_generated_codes_are_kept_and_env_wins():
    codes, generated, _ = settle_codes({}, None, ROLES)
    assert generated and set(codes) == set(ROLES) and len(set(codes.values())) == 3
    again, generated_again, _ = settle_codes(codes, None, ROLES)
    assert again == codes and not generated_again
    overridden, _, _ = settle_codes(codes, "director=boss-1234", ROLES)
    assert overridden["director"] == "boss-1234" and overridden["observer"] == codes["observer"]


def test_new_codes_avoid_confusable_characters():
    code = new_code()
    assert len(code) == 14 and all(c in ALPHABET for c in code.replace("-", ""))


@pytest.mark.parametrize("text, message", [
    ("director", "is not role=code"),
    ("chief=abcd", "unknown role 'chief'"),
    ("director=ab", "shorter than 4"),
    ("director=same1,observer=same1", "same code to two roles"),
])
def test_bad_env_is_refused(text, message):
    with pytest.raises(CodesError, match=message):
        parse_codes_env(text, ROLES)


def test_role_for_code():
    codes = {"director": "d-123", "team:alpha": "a-456"}
    assert role_for_code(codes, "a-456") == "team:alpha"
    assert role_for_code(codes, " d-123 ") == "director"
    assert role_for_code(codes, "d-12") is None
    assert role_for_code(codes, "") is None
    assert role_for_code(codes, None) is None
    assert role_for_code(codes, 123) is None


def test_a_code_rotated_away_stays_refused_whatever_excon_codes_says():
    stored = {"director": "new-director-code"}
    retired = {code_digest("old-director-code"): "2026-05-05T10:00:00.000000Z"}
    codes, _, warnings = settle_codes(stored, "director=old-director-code,observer=watch-42", ROLES, retired)
    assert codes["director"] == "new-director-code" and codes["observer"] == "watch-42"
    assert len(warnings) == 1 and "rotated away on 2026-05-05T10:00" in str(warnings[0])
