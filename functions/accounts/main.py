"""The accounts' functions-framework source: each Knative Service picks one target by name."""

from functions.accounts.api import (
    address,
    addresses,
    admin_user,
    admin_users,
    login,
    logout,
    me,
    me_password,
    refresh,
    register,
)
from functions.runtime.web import answer_framework_errors_as_problems

__all__ = ["address", "addresses", "admin_user", "admin_users", "login", "logout", "me",
           "me_password", "refresh", "register"]

answer_framework_errors_as_problems()
