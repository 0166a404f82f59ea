"""Field encryption with key ids, key rotation, blind indexes and masking helpers."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

from gongzhi.lib import crypto

OLD = "o" * 40
NEW = "n" * 40


def test_a_value_round_trips_and_carries_its_key_id():
    token = crypto.encrypt("110101199003071234")
    assert token.startswith(f"v1:{crypto.current_key_id()}:")
    assert "110101199003071234" not in token
    assert crypto.decrypt(token) == "110101199003071234"


def test_each_encryption_uses_a_fresh_nonce():
    assert crypto.encrypt("13800001111") != crypto.encrypt("13800001111")


def test_unicode_round_trips():
    assert crypto.decrypt(crypto.encrypt("北京市朝阳区")) == "北京市朝阳区"


@pytest.mark.parametrize("mangle", ["flip", "truncate", "prefix", "garbage"])
def test_a_tampered_value_is_refused(mangle):
    token = crypto.encrypt("13800001111")
    if mangle == "flip":
        token = token[:-3] + ("A" if token[-3] != "A" else "B") + token[-2:]
    elif mangle == "truncate":
        token = token[:-10]
    elif mangle == "prefix":
        token = "v9" + token[2:]
    else:
        token = "nonsense"
    with pytest.raises(ValueError):
        crypto.decrypt(token)


def test_a_value_under_a_key_that_is_no_longer_configured_is_refused():
    with override_settings(FIELD_KEYS_RAW=f"old:{OLD}"):
        token = crypto.encrypt("13800001111")
    with override_settings(FIELD_KEYS_RAW=f"new:{NEW}"), pytest.raises(ValueError, match="old"):
        crypto.decrypt(token)


def test_a_second_key_id_decrypts_old_values_and_encrypts_new_ones():
    with override_settings(FIELD_KEYS_RAW=OLD):
        old_token = crypto.encrypt("13800001111")
        old_index = crypto.blind_index("13800001111", purpose="mobile")
    assert crypto.key_id_of(old_token) == "k0"
    # The operator puts a new key in front; the bare old key keeps its id k0 in second place.
    with override_settings(FIELD_KEYS_RAW=f"k1:{NEW},{OLD}"):
        assert crypto.current_key_id() == "k1"
        assert crypto.decrypt(old_token) == "13800001111"
        new_token = crypto.encrypt("13900002222")
        assert crypto.key_id_of(new_token) == "k1"
        assert crypto.decrypt(new_token) == "13900002222"
        # Adding a key does not change any blind index (derived from the oldest key).
        assert crypto.blind_index("13800001111", purpose="mobile") == old_index


def test_the_blind_index_key_can_be_set_explicitly():
    with override_settings(FIELD_KEYS_RAW=OLD, BLIND_INDEX_KEY=None):
        derived = crypto.blind_index("13800001111", purpose="mobile")
    with override_settings(FIELD_KEYS_RAW=OLD, BLIND_INDEX_KEY="b" * 40):
        explicit = crypto.blind_index("13800001111", purpose="mobile")
    with override_settings(FIELD_KEYS_RAW=f"k1:{NEW},{OLD}", BLIND_INDEX_KEY="b" * 40):
        assert crypto.blind_index("13800001111", purpose="mobile") == explicit
    assert derived != explicit


def test_the_blind_index_is_exact_normalized_and_separated_by_purpose():
    index = crypto.blind_index("11010119900307123x", purpose="identity")
    assert index == crypto.blind_index(" 1101 0119 9003 0712 3X ", purpose="identity")
    assert index != crypto.blind_index("110101199003071238", purpose="identity")
    assert index != crypto.blind_index("11010119900307123X", purpose="mobile")
    assert len(index) == 64 and "1101" not in index


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("short", "at least 32"),
        (f"{OLD},{NEW}", "duplicate key ids k0"),
        (f"a:{OLD},a:{NEW}", "duplicate key ids a"),
        (f"bad-id:{OLD}", "key ids"),
        (f"{'x' * 17}:{OLD}", "key ids"),
        (f"k1:{NEW},,{OLD}", "empty"),
        (f"k1:short,{OLD}", "'k1' must be at least 32"),
    ],
)
def test_malformed_key_lists_name_the_variable(raw, message):
    with pytest.raises(ImproperlyConfigured, match=message) as caught:
        crypto.parse_field_keys(raw)
    assert "GONGZHI_FIELD_KEY" in str(caught.value)


def test_key_lists_parse_in_order():
    assert crypto.parse_field_keys(f"k2:{NEW}, k1:{OLD}") == (("k2", NEW), ("k1", OLD))


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        ("110101199003071234", "110***********1234"),
        ("11010119900307123X", "110***********123X"),
        ("1234567", "*******"),
    ],
)
def test_identity_numbers_are_masked(value, masked):
    assert crypto.mask_identity_number(value) == masked


def test_mobiles_and_names_are_masked():
    assert crypto.mask_mobile("13800001111") == "138****1111"
    assert crypto.mask_mobile("") == ""
    assert crypto.mask_name("张秀英") == "张**"
    assert crypto.mask_name("张") == "张*"
    assert crypto.mask_name("") == ""
