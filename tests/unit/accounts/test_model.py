"""Account rules, without any I/O."""

import pytest

from functions.accounts import model
from functions.accounts.adapters import passwords


class TestPasswordPolicy:
    def test_a_long_uncommon_password_is_fine(self):
        assert model.password_problems("violet staircase umbrella", "ada@example.com") == []

    @pytest.mark.parametrize("password, problem", [
        ("shorty", "at least 10"),
        ("x" * 257, "at most 256"),
        ("Password123", "too common"),
        ("ada.lovelace@example.com", "email"),
        ("ADA.LOVELACE@EXAMPLE.COM", "email"),
        ("ada.lovelace", "email"),
    ])
    def test_weak_passwords_say_why(self, password, problem):
        problems = model.password_problems(password, "Ada.Lovelace@example.com")
        assert any(problem in p for p in problems)

    def test_the_common_list_is_loaded_lowercase(self):
        assert "password123" in model.common_passwords() and all(
            p == p.lower() for p in model.common_passwords())


class TestEmails:
    def test_emails_are_trimmed_and_lowercased(self):
        assert model.normalise_email("  Ada@Example.COM ") == "ada@example.com"


class TestRefreshTokens:
    def test_tokens_are_random_and_stored_only_as_a_fingerprint(self):
        first, second = model.new_refresh_token(), model.new_refresh_token()
        assert first != second and len(first) >= 40
        assert model.fingerprint(first) != first.encode() and len(model.fingerprint(first)) == 32


class TestPasswords:
    def test_argon2id_hashes_verify_only_their_password(self):
        hashed = passwords.hash_password("violet staircase umbrella")
        assert hashed.startswith("$argon2id$")
        assert passwords.verify(hashed, "violet staircase umbrella")
        assert not passwords.verify(hashed, "violet staircase umbrelLa")

    def test_without_a_hash_nothing_verifies(self):
        assert not passwords.verify(None, "anything at all")


class TestPasswordThrottling:
    def test_five_failures_are_free(self):
        from functions.accounts.model import block_seconds

        assert [block_seconds(n) for n in range(5)] == [0, 0, 0, 0, 0]

    def test_then_the_wait_doubles_up_to_fifteen_minutes(self):
        from functions.accounts.model import block_seconds

        assert [block_seconds(n) for n in (5, 6, 7, 10, 40)] == [30, 60, 120, 900, 900]

    def test_an_account_is_counted_by_its_normalised_email(self):
        from functions.accounts.model import account_key

        assert account_key(" Ada@Example.com ") == account_key("ada@example.com")
        assert b"ada" not in account_key("ada@example.com")


class TestAccountRules:
    def test_an_admin_cannot_change_themselves_but_may_change_others(self):
        import pytest

        from functions.accounts.model import check_user_change
        from functions.runtime.exceptions import Conflict

        with pytest.raises(Conflict):
            check_user_change(acting_admin="a", user_id="a", changes={"role": "customer"})
        check_user_change(acting_admin="a", user_id="b", changes={"role": "customer"})
        check_user_change(acting_admin="a", user_id="a", changes={})  # nothing changes: nothing to refuse

    def test_the_first_address_is_the_default_and_a_full_book_refuses_more(self):
        import pytest

        from functions.accounts.model import MAX_ADDRESSES, new_address_is_default
        from functions.runtime.exceptions import Conflict

        assert new_address_is_default(False, 0) is True
        assert new_address_is_default(False, 3) is False
        assert new_address_is_default(True, 3) is True
        with pytest.raises(Conflict):
            new_address_is_default(True, MAX_ADDRESSES)

    def test_a_rotated_refresh_token_used_again_ends_the_session(self):
        from datetime import datetime, timedelta, timezone

        from functions.accounts.model import RefreshOutcome, refresh_outcome

        now = datetime.now(timezone.utc)
        live = {"revoked_at": None, "used_at": None, "expires_at": now + timedelta(days=1)}
        assert refresh_outcome(live, True, now) is RefreshOutcome.ROTATE
        assert refresh_outcome(live | {"used_at": now}, True, now) is RefreshOutcome.END_SESSION
        assert refresh_outcome(live, False, now) is RefreshOutcome.END_SESSION
        assert refresh_outcome(live | {"revoked_at": now}, True, now) is RefreshOutcome.REFUSE
        assert refresh_outcome(live | {"expires_at": now}, True, now) is RefreshOutcome.REFUSE
        assert refresh_outcome(None, False, now) is RefreshOutcome.REFUSE
