"""Whether a verified token may still act, from what the domain knows of its session and user."""

import pytest

from functions.runtime.access import refusal
from functions.runtime.auth import Claims

ADMIN_TOKEN = Claims(sub="u", role="admin", exp=0, sid="s")


class TestRefusal:
    def test_a_token_of_a_user_the_domain_heard_nothing_about_may_act(self):
        assert refusal(ADMIN_TOKEN, session_revoked=False, role=None, active=None) is None

    def test_a_token_whose_session_ended_is_refused(self):
        assert "session" in refusal(ADMIN_TOKEN, session_revoked=True, role="admin", active=True)

    def test_a_token_of_a_deactivated_user_is_refused(self):
        assert "not active" in refusal(ADMIN_TOKEN, session_revoked=False, role="admin", active=False)

    @pytest.mark.parametrize("now", ["customer", "auditor"])
    def test_a_token_carrying_a_role_the_user_lost_is_refused(self, now):
        assert "role" in refusal(ADMIN_TOKEN, session_revoked=False, role=now, active=True)

    def test_a_token_carrying_the_current_role_may_act(self):
        assert refusal(ADMIN_TOKEN, session_revoked=False, role="admin", active=True) is None
