import pytest
from django.core.exceptions import ValidationError

from stakeholders.validators import uscc_check_char, validate_uscc


def test_known_uscc_passes():
    validate_uscc("91350100M000100Y43")


def test_uscc_with_wrong_check_character_is_refused():
    with pytest.raises(ValidationError) as exc:
        validate_uscc("91350100M000100Y44")
    assert exc.value.code == "uscc_check"


def test_uscc_check_character_is_computed_over_first_17():
    assert uscc_check_char("91350100M000100Y4") == "3"
